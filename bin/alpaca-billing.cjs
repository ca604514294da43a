#!/usr/bin/env node
import '../dist/bundle/alpaca-billing.js';
