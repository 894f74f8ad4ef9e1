// Types of static-assets.mjs (plain ESM so that serve.mjs runs it without a TypeScript loader).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Header } from './security-headers.mjs';
export declare const STATIC_PREFIX: string;
export declare function acceptsGzip(header: string | string[] | undefined): boolean;
export interface StaticAssets {
  /** Answers a request for one of the build's static files; false: not one of them (Next answers). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  files: number;
  bytes: number;
  compressedBytes: number;
}
export declare function loadStaticAssets(distDir: string, headers: readonly Header[]): Promise<StaticAssets>;
