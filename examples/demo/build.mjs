import { mkdirSync, readdirSync, copyFileSync } from 'node:fs'
mkdirSync('dist', { recursive: true })
for (const f of readdirSync('src')) copyFileSync(`src/${f}`, `dist/${f}`)
console.log(`built ${readdirSync('dist').length} module(s) into dist/`)
