/** This Flowsight's version, as package.json gives it (a unit test keeps the two equal): in manifests and the observer API. */
export const FLOWSIGHT_VERSION = '0.1.0';
