/** Vite's `?inline` CSS imports (a chart library's stylesheet, adopted into a shadow root). */
declare module '*.css?inline' {
  const css: string;
  export default css;
}
