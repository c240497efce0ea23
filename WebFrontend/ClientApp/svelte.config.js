import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

// TypeScript in components; nothing else is configured.
export default { preprocess: vitePreprocess() };
