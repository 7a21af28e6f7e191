import { GlobalStyles, lightTheme } from 'amazon-chime-sdk-component-library-react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ThemeProvider } from 'styled-components';

import { App } from './components/App';
import { DeviceManager } from './meeting/DeviceManager';
import { readFeatures } from './meeting/features';
import './styles.css';
import './clinic/clinic.css';

const devices = new DeviceManager();
const features = readFeatures(import.meta.env, window.location.search);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider theme={lightTheme}>
      <GlobalStyles />
      <App devices={devices} features={features} />
    </ThemeProvider>
  </StrictMode>,
);
