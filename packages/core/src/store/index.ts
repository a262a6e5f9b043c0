/** `@govtrust/core/store`: storage interfaces, the memory driver and the shared contract suite. @module */
export {};
