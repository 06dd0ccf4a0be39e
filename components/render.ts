export * from "./host/backup";
export * from "./edge/caddyfile";
export * from "./host/cloudInit";
export * from "./compliance/documents";
export * from "./doi/doiBlueprint";
export * from "./app/mautic";
export * from "./shared/template";
export * from "./edge/tracking";
