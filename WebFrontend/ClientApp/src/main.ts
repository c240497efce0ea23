import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

// Headings receive focus on navigation (for screen readers) without joining the tab order.
new MutationObserver(() => {
  for (const heading of document.querySelectorAll('main h1:not([tabindex])')) heading.setAttribute('tabindex', '-1');
}).observe(document.body, { childList: true, subtree: true });

mount(App, { target: document.getElementById('app')! });
