/**
 * Hand-picked VS Code theme variables (Dark Modern, Light Modern, Dark High
 * Contrast) for previewing the panel outside VS Code, plus a trimmed copy of the
 * default styles VS Code injects into every webview (scrollbars, focus).
 */

export type ThemeName = 'dark' | 'light' | 'high-contrast';

export const themeNames: readonly ThemeName[] = ['dark', 'light', 'high-contrast'];

/** The body class VS Code sets for each theme kind. */
export const bodyClass: Readonly<Record<ThemeName, string>> = {
  dark: 'vscode-dark',
  light: 'vscode-light',
  'high-contrast': 'vscode-high-contrast',
};

const shared: Record<string, string> = {
  'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  'font-size': '13px',
  'font-weight': 'normal',
  'editor-font-family': '"Droid Sans Mono", "DejaVu Sans Mono", monospace',
  'editor-font-size': '13px',
  'editor-font-weight': 'normal',
};

const dark: Record<string, string> = {
  ...shared,
  foreground: '#cccccc',
  descriptionForeground: '#9d9d9d',
  disabledForeground: '#cccccc80',
  errorForeground: '#f85149',
  focusBorder: '#0078d4',
  'editor-background': '#1f1f1f',
  'editor-foreground': '#cccccc',
  'sideBar-background': '#181818',
  'editorWidget-background': '#202020',
  'panel-border': '#2b2b2b',
  'widget-border': '#313131',
  'widget-shadow': '#0000005c',
  'badge-background': '#616161',
  'badge-foreground': '#f8f8f8',
  'button-background': '#0078d4',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#026ec1',
  'button-border': '#ffffff12',
  'button-secondaryBackground': '#313131',
  'button-secondaryForeground': '#cccccc',
  'button-secondaryHoverBackground': '#3c3c3c',
  'textLink-foreground': '#4daafc',
  'textLink-activeForeground': '#4daafc',
  'textPreformat-foreground': '#d0d0d0',
  'textPreformat-background': '#3c3c3c',
  'textCodeBlock-background': '#2b2b2b',
  'textBlockQuote-background': '#2b2b2b',
  'textBlockQuote-border': '#616161',
  'textSeparator-foreground': '#21262d',
  'testing-iconPassed': '#73c991',
  'testing-iconFailed': '#f14c4c',
  'testing-iconQueued': '#cca700',
  'testing-iconSkipped': '#848484',
  'progressBar-background': '#0078d4',
  'icon-foreground': '#cccccc',
  'toolbar-hoverBackground': '#5a5d5e50',
  'toolbar-activeBackground': '#63666750',
  'inputOption-activeBackground': '#2489db82',
  'inputOption-activeBorder': '#2488db',
  'inputOption-activeForeground': '#ffffff',
  'inputValidation-errorBackground': '#5a1d1d',
  'inputValidation-errorBorder': '#be1100',
  'editorWarning-foreground': '#cca700',
  'keybindingLabel-background': '#8080802b',
  'keybindingLabel-foreground': '#cccccc',
  'keybindingLabel-border': '#33333399',
  'keybindingLabel-bottomBorder': '#44444499',
  'scrollbarSlider-background': '#79797966',
  'scrollbarSlider-hoverBackground': '#646464b3',
  'scrollbarSlider-activeBackground': '#bfbfbf66',
  'charts-blue': '#3794ff',
  'charts-green': '#89d185',
  'charts-purple': '#b180d7',
  'diffEditor-insertedTextBackground': '#9ccc2c33',
  'diffEditor-removedTextBackground': '#ff000033',
  'list-hoverBackground': '#2a2d2e',
  'list-inactiveSelectionBackground': '#37373d',
};

const light: Record<string, string> = {
  ...shared,
  foreground: '#3b3b3b',
  descriptionForeground: '#3b3b3b',
  disabledForeground: '#61616180',
  errorForeground: '#f85149',
  focusBorder: '#005fb8',
  'editor-background': '#ffffff',
  'editor-foreground': '#3b3b3b',
  'sideBar-background': '#f8f8f8',
  'editorWidget-background': '#f8f8f8',
  'panel-border': '#e5e5e5',
  'widget-border': '#e5e5e5',
  'widget-shadow': '#00000029',
  'badge-background': '#cccccc',
  'badge-foreground': '#3b3b3b',
  'button-background': '#005fb8',
  'button-foreground': '#ffffff',
  'button-hoverBackground': '#0258a8',
  'button-border': '#0000001a',
  'button-secondaryBackground': '#e5e5e5',
  'button-secondaryForeground': '#3b3b3b',
  'button-secondaryHoverBackground': '#cccccc',
  'textLink-foreground': '#005fb8',
  'textLink-activeForeground': '#005fb8',
  'textPreformat-foreground': '#3b3b3b',
  'textPreformat-background': '#0000001f',
  'textCodeBlock-background': '#f8f8f8',
  'textBlockQuote-background': '#f8f8f8',
  'textBlockQuote-border': '#e5e5e5',
  'textSeparator-foreground': '#0000002e',
  'testing-iconPassed': '#388a34',
  'testing-iconFailed': '#f14c4c',
  'testing-iconQueued': '#cca700',
  'testing-iconSkipped': '#848484',
  'progressBar-background': '#005fb8',
  'icon-foreground': '#3b3b3b',
  'toolbar-hoverBackground': '#b8b8b850',
  'toolbar-activeBackground': '#a6a6a650',
  'inputOption-activeBackground': '#bed6ed',
  'inputOption-activeBorder': '#005fb8',
  'inputOption-activeForeground': '#000000',
  'inputValidation-errorBackground': '#f2dede',
  'inputValidation-errorBorder': '#be1100',
  'editorWarning-foreground': '#bf8803',
  'keybindingLabel-background': '#dddddd66',
  'keybindingLabel-foreground': '#555555',
  'keybindingLabel-border': '#cccccc66',
  'keybindingLabel-bottomBorder': '#bbbbbb66',
  'scrollbarSlider-background': '#64646466',
  'scrollbarSlider-hoverBackground': '#646464b3',
  'scrollbarSlider-activeBackground': '#00000099',
  'charts-blue': '#1a85ff',
  'charts-green': '#388a34',
  'charts-purple': '#652d90',
  'diffEditor-insertedTextBackground': '#9ccc2c40',
  'diffEditor-removedTextBackground': '#ff000033',
  'list-hoverBackground': '#f2f2f2',
  'list-inactiveSelectionBackground': '#e4e6f1',
};

const highContrast: Record<string, string> = {
  ...shared,
  foreground: '#ffffff',
  descriptionForeground: '#ffffff',
  disabledForeground: '#a5a5a5',
  errorForeground: '#f48771',
  focusBorder: '#f38518',
  contrastBorder: '#6fc3df',
  contrastActiveBorder: '#f38518',
  'editor-background': '#000000',
  'editor-foreground': '#ffffff',
  'sideBar-background': '#000000',
  'editorWidget-background': '#0c141f',
  'panel-border': '#6fc3df',
  'widget-border': '#6fc3df',
  'badge-background': '#000000',
  'badge-foreground': '#ffffff',
  'button-background': '#000000',
  'button-foreground': '#ffffff',
  'button-border': '#6fc3df',
  'button-secondaryBackground': '#000000',
  'button-secondaryForeground': '#ffffff',
  'textLink-foreground': '#21a6ff',
  'textLink-activeForeground': '#21a6ff',
  'textPreformat-foreground': '#ffffff',
  'textPreformat-background': '#000000',
  'textCodeBlock-background': '#000000',
  'textBlockQuote-background': '#000000',
  'textBlockQuote-border': '#ffffff',
  'textSeparator-foreground': '#000000',
  'testing-iconPassed': '#73c991',
  'testing-iconFailed': '#f14c4c',
  'testing-iconQueued': '#cca700',
  'testing-iconSkipped': '#848484',
  'progressBar-background': '#6fc3df',
  'icon-foreground': '#ffffff',
  'toolbar-hoverOutline': '#f38518',
  'inputOption-activeBorder': '#6fc3df',
  'inputOption-activeBackground': '#00000000',
  'inputOption-activeForeground': '#ffffff',
  'inputValidation-errorBackground': '#000000',
  'inputValidation-errorBorder': '#f48771',
  'editorWarning-foreground': '#ff0000',
  'keybindingLabel-foreground': '#ffffff',
  'keybindingLabel-border': '#6fc3df',
  'keybindingLabel-bottomBorder': '#6fc3df',
  'scrollbarSlider-background': '#6fc3df99',
  'scrollbarSlider-hoverBackground': '#6fc3dfcc',
  'scrollbarSlider-activeBackground': '#6fc3df',
  'charts-blue': '#3794ff',
  'charts-green': '#89d185',
  'charts-purple': '#b180d7',
  'diffEditor-insertedTextBorder': '#33ff2eff',
  'diffEditor-removedTextBorder': '#ff008f',
};

const variables: Readonly<Record<ThemeName, Record<string, string>>> = { dark, light, 'high-contrast': highContrast };

/** A stylesheet that sets the theme's variables the way VS Code does (on `html`). */
export function themeCss(theme: ThemeName): string {
  const lines = Object.entries(variables[theme]).map(([name, value]) => `  --vscode-${name}: ${value};`);
  return `html {\n${lines.join('\n')}\n  background-color: var(--vscode-editor-background);\n}\n${defaultWebviewCss}`;
}

// What VS Code injects into every webview (trimmed): the panel must look right on top of it.
const defaultWebviewCss = `
body {
  padding: 0 20px;
  color: var(--vscode-foreground);
  font-size: var(--vscode-font-size);
  font-weight: var(--vscode-font-weight);
  font-family: var(--vscode-font-family);
  background-color: var(--vscode-editor-background);
}
:focus { outline-color: var(--vscode-focusBorder); }
::-webkit-scrollbar { width: 10px; height: 10px; }
::-webkit-scrollbar-corner { background-color: var(--vscode-editor-background); }
::-webkit-scrollbar-thumb { background-color: var(--vscode-scrollbarSlider-background); }
::-webkit-scrollbar-thumb:hover { background-color: var(--vscode-scrollbarSlider-hoverBackground); }
::-webkit-scrollbar-thumb:active { background-color: var(--vscode-scrollbarSlider-activeBackground); }
`;
