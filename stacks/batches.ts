/**
 * Declaring a large collection in one synchronous burst leaves every registration in flight at once:
 * the SDK keeps each resource's pending state until the engine (or the mocks) answers, and answers
 * only come once the burst yields. Yielding between small batches lets registrations complete while
 * later ones are declared, which bounds that state (measured on the 1000-app offline plan: see the
 * docs/benchmarks.md).
 */
export const DECLARE_BATCH = 2;

/** Calls `declare` on each item in order, yielding to the event loop after every `size` items. */
export async function declareInBatches<T>(
    items: readonly T[],
    declare: (item: T) => void,
    size = DECLARE_BATCH,
): Promise<void> {
    for (let start = 0; start < items.length; start += size) {
        if (start > 0) {
            await new Promise<void>((resolve) => setImmediate(resolve));
        }
        items.slice(start, start + size).forEach(declare);
    }
}
