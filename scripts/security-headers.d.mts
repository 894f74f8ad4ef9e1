// Types of security-headers.mjs (plain ESM so that serve.mjs runs it without a TypeScript loader).
export interface Header {
  key: string;
  value: string;
}
export declare function contentSecurityPolicy(development: boolean): string;
export declare function securityHeaders(development: boolean): Header[];
export declare const HSTS_HEADER: Header;
