/** The page's one style sheet: readable on a phone held at a camera pole, no web fonts, no framework. */
export const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:#1b1f24;background:#f3f4f6}
header{display:flex;gap:.6em;align-items:baseline;padding:.6em 1em;background:#12355b;color:#fff}
header .brand{font-weight:700}header .version{margin-left:auto;opacity:.7;font-size:.85em}
nav{display:flex;flex-wrap:wrap;gap:.2em;padding:.3em .6em;background:#1f4e7e}
nav a{color:#fff;text-decoration:none;padding:.45em .7em;border-radius:4px}
nav a[aria-current=page]{background:#fff;color:#12355b;font-weight:600}
nav .logout{margin-left:auto}nav .logout button{background:none;color:#fff;border:1px solid #fff8}
main{padding:1em;max-width:1200px;margin:0 auto}
h1{font-size:1.4em;margin:.2em 0 .6em}h2{font-size:1.1em;margin:.4em 0}
h2 small{color:#667;font-weight:400}
a{color:#1f5fa8}
button,.button{font:inherit;padding:.55em .9em;border-radius:6px;border:1px solid #9aa5b1;background:#fff;color:#1b1f24;cursor:pointer;text-decoration:none;display:inline-block;min-height:44px}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff;font-weight:600}
button:disabled{opacity:.5;cursor:default}
input,select{font:inherit;padding:.45em;border:1px solid #9aa5b1;border-radius:6px;min-height:40px;max-width:100%}
label{display:block;margin:.5em 0}label input{display:block;width:100%}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:1em}
.card{background:#fff;border-radius:8px;padding:.8em;box-shadow:0 1px 3px #0002}
.card img{width:100%;height:auto;border-radius:4px;display:block;background:#ccc}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em .8em;margin:.5em 0}dt{color:#556}dd{margin:0}
.state-streaming,.verdict-ok{color:#137333}.verdict-degraded,.state-connecting{color:#a05a00}
.verdict-wedged,[class^=state-]:not(.state-streaming):not(.state-connecting):not(.card){color:#b3261e}
.alert.state-raised{border-left:6px solid #b3261e}.alert.state-acknowledged{border-left:6px solid #e0a100}
.alert.state-resolved,.alert.state-expired{opacity:.75}
.severity{text-transform:uppercase;font-size:.75em;padding:.1em .4em;border-radius:3px;background:#ddd}
.severity-critical,.severity-emergency{background:#b3261e;color:#fff}.severity-warning{background:#e0a100}
.alert-actions{display:flex;flex-wrap:wrap;gap:.4em;align-items:center}.alert-actions input{flex:1 1 10em}
.no-picture{height:6em;display:flex;align-items:center;justify-content:center;background:#e5e7eb;color:#667;border-radius:4px}
.problem{color:#b3261e;font-weight:600}.note{color:#445}
.problems{color:#b3261e;padding-left:1.2em}.saved{color:#137333;font-weight:600}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1em}th,td{text-align:left;padding:.4em .6em;border-bottom:1px solid #e5e7eb;vertical-align:top}
.login{max-width:24em;background:#fff;padding:1em;border-radius:8px;box-shadow:0 1px 3px #0002}
.live canvas{width:100%;max-width:960px;height:auto;background:#000;display:block;border-radius:6px}
.editor{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
.stage{position:relative;flex:2 1 480px;max-width:100%;touch-action:none;user-select:none}
.stage img{width:100%;height:auto;display:block;border-radius:4px}
.stage svg{position:absolute;inset:0;width:100%;height:100%;cursor:crosshair}
.panel{flex:1 1 280px}
.shape{background:#fff;border-radius:8px;padding:.6em;margin-bottom:.6em;box-shadow:0 1px 3px #0002;border-left:6px solid var(--colour,#999)}
.shape.selected{outline:3px solid #1f6feb}
.shape header{all:unset;display:flex;gap:.4em;align-items:center;flex-wrap:wrap}
.shape .rules{margin:.4em 0 0;padding:0;list-style:none}.shape .rules li{display:flex;gap:.4em;align-items:center;flex-wrap:wrap;margin:.25em 0}
.shape input.id{width:9em}.shape input.param{width:6em}
`;
