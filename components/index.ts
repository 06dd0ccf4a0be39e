/** The kit as a library: components, their Args, the config schema and the pure renderers. */
export * from "./compliance";
export * from "./config";
export * from "./containerDefaults";
export * from "./defaults";
export * from "./doiSetup";
export * from "./hardenedHost";
export * from "./hostFiles";
export * from "./mauticApp";
export * from "./mauticSite";
export * from "./serverLabel";
export * from "./serverTypeChoice";
export * from "./siteSecrets";
export * from "./stackConfig";
export * from "./webEdge";
export * as render from "./render";
