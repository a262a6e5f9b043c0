/** `@govtrust/core/pdf`: strict PDF reader, incremental writer, seal appearances, sealing and verification. @module */
export {};
