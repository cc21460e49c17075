#!/usr/bin/env node
// The `taskgate` command: runs the compiled CLI (`npm run build` makes it).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli/main.js')) {
    console.error('taskgate is not built yet: run `npm run build` first (npm start does it for you)');
  } else {
    console.error(error);
  }
  process.exit(1);
});
