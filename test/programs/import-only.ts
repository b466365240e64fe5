// Importing the component package must register nothing.
import * as hangar from "@hangar-platform/hangar";
export const componentCount = Object.values(hangar).filter((v) => typeof v === "function").length;
