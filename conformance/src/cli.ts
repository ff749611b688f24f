#!/usr/bin/env node
process.stdout.write('threadline-conformance: not implemented yet\n');
process.exitCode = 2;
