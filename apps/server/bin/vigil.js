#!/usr/bin/env node
// Entry point for `npx vigil`: runs the compiled CLI (npm start builds it).
import '../dist/main.js';
