/**
 * Firing alerts over a window, from Prometheus' HTTP API: `GET /api/v1/query` answers
 * `{ status: "success", data: { resultType: "vector", result: [{ metric: {...labels}, value: [<time>, "<value>"] }] } }`
 * (prometheus.io/docs/prometheus/latest/querying/api/, "Instant queries"). The `ALERTS` series carries
 * `alertname`, `alertstate` and the rule's labels (`severity`, `namespace`).
 */
import { z } from "zod";
import { EvidenceSource, EvidenceUnavailable } from "./source";

const answer = z.object({
    status: z.literal("success"),
    data: z.object({
        resultType: z.literal("vector"),
        result: z.array(
            z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) }),
        ),
    }),
});

export interface FiringAlert {
    readonly name: string;
    readonly namespace: string;
    readonly severity: string;
}

/** The query: alerts of these severities that fired at any time in the window, by name and namespace. */
export function alertsQuery(severities: readonly string[], windowMinutes: number): string {
    return `max by (alertname, namespace, severity) (max_over_time(ALERTS{alertstate="firing",severity=~"${severities.join("|")}"}[${windowMinutes}m]))`;
}

export function parseAlerts(text: string): FiringAlert[] {
    const parsed = answer.safeParse(JSON.parse(text));
    if (!parsed.success) {
        throw new EvidenceUnavailable(`Prometheus answered no vector result (${parsed.error.issues[0].message})`);
    }
    return parsed.data.data.result.map((sample) => ({
        name: sample.metric.alertname ?? "(unnamed)",
        namespace: sample.metric.namespace ?? "",
        severity: sample.metric.severity ?? "",
    }));
}

export async function collectAlerts(
    source: EvidenceSource,
    url: string,
    severities: readonly string[],
    windowMinutes: number,
): Promise<FiringAlert[]> {
    return parseAlerts(await source.read({ kind: "query", url, query: alertsQuery(severities, windowMinutes) }));
}
