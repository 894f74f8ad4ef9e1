// Types of build-stamp.mjs (plain ESM so that scripts/start.mjs runs it before anything is built).
export declare const BUILD_INPUTS: string[];
export declare const STAMP_FILE: string;
export declare function sourceStamp(root: string, inputs?: readonly string[]): string;
export declare function readStamp(distDir: string): string | undefined;
export declare function writeStamp(distDir: string, stamp: string): void;
export interface BuildState {
  hasBuild: boolean;
  recordedStamp: string | undefined;
  currentStamp: string;
  /** FLOWSIGHT_REBUILD: '1' forces a build, '0' serves any existing build. */
  rebuild: string | undefined;
}
export declare function buildDecision(state: BuildState): { build: boolean; reason: string };
