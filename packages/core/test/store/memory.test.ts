import { createMemoryStore } from '@govtrust/core/store';
import { describeStore, testSchema } from './contract.js';

describeStore('memory', { open: () => Promise.resolve(createMemoryStore(testSchema)) });
