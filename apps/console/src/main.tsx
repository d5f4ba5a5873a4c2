import { render } from 'preact';
import { App } from './app.js';
import './styles/base.css';
import './styles/forms.css';
import './styles/pages.css';
import './styles/phone.css';

const root = document.getElementById('app');
if (root) render(<App />, root);
