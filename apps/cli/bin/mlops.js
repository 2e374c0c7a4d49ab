#!/usr/bin/env node
// The `mlops` command. Runs the TypeScript sources through tsx so it is always current.
'use strict';
require('tsx/cjs/api').register();
require('../src/main.ts');
