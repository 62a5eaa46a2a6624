import { LitElement, css, html, unsafeCSS } from 'lit';
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css?inline';

/**
 * One time series as a small line chart (uPlot: a few dozen KB, fast enough to redraw on every
 * live update). `points` are [epoch ms, value].
 */
export class OpChart extends LitElement {
  static override styles = [unsafeCSS(uPlotCss), css`:host { display: block; } .title { font-weight: 600; margin-bottom: 4px; }`];
  static override properties = { label: {}, points: { attribute: false }, perMinute: { type: Boolean } };
  declare label: string;
  declare points: [number, number][];
  declare perMinute: boolean;
  private plot: uPlot | null = null;

  constructor() {
    super();
    this.label = '';
    this.points = [];
    this.perMinute = false;
  }

  override render() {
    return html`<div class="title">${this.label}</div><div id="plot" role="img" aria-label=${this.label}></div>`;
  }

  override updated() {
    const data: uPlot.AlignedData = [this.points.map(([t]) => t / 1000), this.points.map(([, v]) => v)];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const target = this.renderRoot.querySelector('#plot') as HTMLElement;
    this.plot = new uPlot({
      width: 420,
      height: 160,
      legend: { show: false },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{ values: (_u, ticks) => ticks.map((s) => label(s, this.perMinute)) }, {}],
      series: [{}, { label: this.label, stroke: '#0b5cad', width: 2, fill: 'rgba(11,92,173,0.08)' }],
    }, data, target);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
  }
}

/** Axis labels in the viewer's time zone: hours:minutes for per-minute charts, month/day otherwise. */
function label(seconds: number, perMinute: boolean): string {
  const d = new Date(seconds * 1000);
  return perMinute ? `${d.getHours()}:${String(d.getMinutes()).padStart(2, '0')}` : `${d.getMonth() + 1}/${d.getDate()}`;
}

customElements.define('op-chart', OpChart);

/**
 * Counts per bucket as bars (an alert's delivery times): `edges[i]` starts bucket i, the last
 * bucket is open-ended. The x axis is the bucket's index, labelled with its range.
 */
export class OpHistogram extends LitElement {
  static override styles = OpChart.styles;
  static override properties = { label: {}, edges: { attribute: false }, counts: { attribute: false }, unit: {} };
  declare label: string;
  declare edges: number[];
  declare counts: number[];
  declare unit: string;
  private plot: uPlot | null = null;

  constructor() {
    super();
    this.label = '';
    this.edges = [];
    this.counts = [];
    this.unit = '';
  }

  override render() {
    return html`<div class="title">${this.label}</div><div id="plot" role="img" aria-label=${this.label}></div>`;
  }

  private bucketLabel(i: number): string {
    const from = this.edges[i];
    const to = this.edges[i + 1];
    return to === undefined ? `${from}${this.unit}〜` : `${from}–${to}${this.unit}`;
  }

  override updated() {
    const data: uPlot.AlignedData = [this.counts.map((_, i) => i), this.counts];
    if (this.plot) {
      this.plot.setData(data);
      return;
    }
    const target = this.renderRoot.querySelector('#plot') as HTMLElement;
    this.plot = new uPlot({
      width: 520,
      height: 180,
      legend: { show: false },
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [{ values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? this.bucketLabel(t) : '')), size: 40 }, {}],
      series: [{}, { label: this.label, stroke: '#0b5cad', fill: 'rgba(11,92,173,0.35)', paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } }],
    }, data, target);
  }

  override disconnectedCallback() {
    super.disconnectedCallback();
    this.plot?.destroy();
    this.plot = null;
  }
}
customElements.define('op-histogram', OpHistogram);

declare global {
  interface HTMLElementTagNameMap { 'op-chart': OpChart; 'op-histogram': OpHistogram }
}
