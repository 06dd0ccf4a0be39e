export * from "./backup";
export * from "./caddyfile";
export * from "./cloudInit";
export * from "./documents";
export * from "./doiBlueprint";
export * from "./mautic";
export * from "./template";
export * from "./tracking";
