// Types of warm-pages.mjs (plain ESM so that serve.mjs runs it without a TypeScript loader).
export declare const WARM_PATHS: readonly string[];
export declare function selfAddress(host: string): string;
export declare function warmPages(listener: { host: string; port: number; tls: boolean }, paths?: readonly string[], timeoutMs?: number): Promise<number[]>;
