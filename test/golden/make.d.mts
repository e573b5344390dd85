/** Types for make.mjs (a plain ES module, so that `node test/golden/make.mjs` runs it as is). */
export declare const SEED: string;
export declare const GENESIS: string[];
export declare const NEWCOMER: string;
export declare const MESSAGE: string;
export declare const CLAIMS: string;
export declare function makeGolden(out: string, options?: { until?: 'genesis' | 'join' }): void;
