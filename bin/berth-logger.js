#!/usr/bin/env node
// Log driver the containerd shim runs for detached containers (see src/logger-entry.ts).
import '../dist/logger.js';
