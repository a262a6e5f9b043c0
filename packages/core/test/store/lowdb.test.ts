import { openLowdbStore } from '@govtrust/core/store/lowdb';
import { tempDir } from '../helpers/tools.js';
import { describeStore, testSchema } from './contract.js';

let dir: ReturnType<typeof tempDir> | undefined;

describeStore('lowdb', {
  open: async () => {
    dir = tempDir('govtrust-lowdb-');
    return openLowdbStore({ dir: dir.dir, schema: testSchema });
  },
  reopen: () => openLowdbStore({ dir: dir!.dir, schema: testSchema }),
  cleanup: () => {
    dir?.cleanup();
    dir = undefined;
    return Promise.resolve();
  },
});

// The same suite with tiny checkpoints, so that every test also runs across log rotations.
let dir2: ReturnType<typeof tempDir> | undefined;
describeStore('lowdb (checkpoint every 2 KiB, no fsync)', {
  open: async () => {
    dir2 = tempDir('govtrust-lowdb-');
    return openLowdbStore({
      dir: dir2.dir,
      schema: testSchema,
      checkpointBytes: 2048,
      durability: 'os',
    });
  },
  reopen: () =>
    openLowdbStore({ dir: dir2!.dir, schema: testSchema, checkpointBytes: 2048, durability: 'os' }),
  cleanup: () => {
    dir2?.cleanup();
    dir2 = undefined;
    return Promise.resolve();
  },
});
