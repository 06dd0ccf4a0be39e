/** The kit as a library: components, their Args, the config schema and the pure renderers. */
export * from "./compliance/compliance";
export * from "./config/config";
export * from "./app/containerDefaults";
export * from "./config/defaults";
export * from "./doi/doiSetup";
export * from "./host/hardenedHost";
export * from "./host/hostFiles";
export * from "./app/mauticApp";
export * from "./site/mauticSite";
export * from "./host/serverLabel";
export * from "./host/serverTypeChoice";
export * from "./app/siteSecrets";
export * from "./config/stackConfig";
export * from "./edge/webEdge";
export * as render from "./render";
