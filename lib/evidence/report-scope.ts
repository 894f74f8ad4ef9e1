/** What an evidence report covers: the whole cluster, or some namespaces (cluster-wide layers then left out, and said so). */
export type ReportScope = { kind: 'cluster' } | { kind: 'namespaces'; namespaces: string[] };
