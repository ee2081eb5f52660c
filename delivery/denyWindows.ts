/** Whether a deny window (`promotion.denyWindows`, UTC) covers a moment: the scheduled dry run opens nothing then. */
import { DenyWindow } from "../stacks/config/promotion";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export function activeDenyWindow(windows: readonly DenyWindow[], now: Date): DenyWindow | undefined {
    const day = DAYS[now.getUTCDay()];
    const clock = `${String(now.getUTCHours()).padStart(2, "0")}:${String(now.getUTCMinutes()).padStart(2, "0")}`;
    return windows.find(
        (w) =>
            (w.days === undefined || w.days.includes(day)) &&
            (w.from === undefined || clock >= w.from) &&
            (w.to === undefined || clock < w.to),
    );
}

export function describeWindow(window: DenyWindow): string {
    return `${window.days?.join(",") ?? "every day"} ${window.from ?? "00:00"}–${window.to ?? "24:00"} UTC`;
}
