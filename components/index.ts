/** The kit as a library: components, their Args, the config schema and the pure renderers. */
export * from "./config";
export * from "./defaults";
export * from "./hardenedHost";
export * from "./mauticApp";
export * from "./mauticSite";
export * from "./siteSecrets";
export * from "./stackConfig";
export * from "./webEdge";
export * as render from "./render";
