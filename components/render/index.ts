export * from "./cloudInit";
export * from "./mautic";
export * from "./template";
