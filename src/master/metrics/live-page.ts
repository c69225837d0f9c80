// The live page: one self-contained HTML document (no CDN, nothing fetched from elsewhere)
// that polls /live.json on the same listener every second and draws each worker's rps,
// memory and event-loop utilisation as SVG line charts, with reloads, restarts, exits and
// scale changes marked. A slot's line breaks where a new process took it over. The browser keeps the samples; the master sends only what is new.
export const LIVE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>drover live</title>
<style>
:root{--bg:#0f1419;--panel:#171d24;--line:#2a323c;--text:#d7dde4;--dim:#8a96a3;--reload:#5aa9ff;--restart:#ff6b6b;--scale:#6bdc8c}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--text)}
header{display:flex;gap:24px;align-items:baseline;padding:14px 20px;border-bottom:1px solid var(--line)}
h1{font-size:18px;margin:0}h1 span{color:var(--dim);font-weight:400}.kv{color:var(--dim)}.kv b{color:var(--text);font-weight:600}
.state-running{color:#6bdc8c}.state-reloading{color:#5aa9ff}.state-errored,.state-stopping{color:#ff6b6b}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:14px;padding:14px 20px}
section{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
h2{font-size:13px;margin:0 0 6px;color:var(--dim);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
svg{width:100%;height:190px;display:block}.axis{stroke:var(--line)}.tick{fill:var(--dim);font-size:10px}
.legend{display:flex;flex-wrap:wrap;gap:10px;margin-top:6px;color:var(--dim);font-size:12px}.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
table{width:100%;border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{text-align:right;padding:4px 8px;border-bottom:1px solid var(--line)}th:first-child,td:first-child,th:nth-child(2),td:nth-child(2){text-align:left}th{color:var(--dim);font-weight:600}
.busy{color:#ffb347}#events{max-height:160px;overflow:auto;font-size:12px}#events div{padding:2px 0;border-bottom:1px solid var(--line)}
.wide{grid-column:1/-1}#error{color:#ff6b6b;padding:0 20px}
</style></head><body>
<header><h1>drover <span id="service">…</span></h1><div class="kv">state <b id="state">…</b></div><div class="kv">generation <b id="generation">…</b></div>
<div class="kv">workers <b id="count">…</b></div><div class="kv">total rps <b id="rps">…</b></div><div class="kv">master rss <b id="mrss">…</b></div></header>
<div id="error"></div>
<main>
<section><h2>Requests per second</h2><svg id="chart-rps" data-series="0"></svg><div class="legend" id="legend-rps"></div></section>
<section><h2>Memory (RSS, MiB)</h2><svg id="chart-rss" data-series="0"></svg><div class="legend" id="legend-rss"></div></section>
<section><h2>Event-loop utilisation (%)</h2><svg id="chart-elu" data-series="0"></svg><div class="legend" id="legend-elu"></div></section>

<section class="wide"><h2>Workers</h2><table><thead><tr><th>id</th><th>role</th><th>pid</th><th>state</th><th>rps</th><th>rss</th><th>heap</th><th>elu</th><th>requests</th><th>inflight</th><th>conns</th><th>restarts</th><th>stats age</th></tr></thead><tbody id="workers"></tbody></table></section>
<section class="wide"><h2>Events <span style="text-transform:none;font-weight:400"><i style="color:var(--reload)">▌reload</i> <i style="color:var(--restart)">▌restart / exit</i> <i style="color:var(--scale)">▌scale</i></span></h2><div id="events"></div></section>
</main>
<script>
"use strict";
const COLORS=["#5aa9ff","#ffb347","#6bdc8c","#c792ea","#ff6b6b","#4dd0e1","#f78c6c","#c3e88d","#82aaff","#ffcb6b"];
const MARK={reload:"var(--reload)","reload-failed":"var(--restart)",restart:"var(--restart)",exit:"var(--restart)",recycle:"var(--restart)",scale:"var(--scale)"};
let samples=[],events=[],last=0,lastEvent=0,windowMs=600000;
const $=(id)=>document.getElementById(id);
const mib=(b)=>(b/1048576).toFixed(1);
const esc=(s)=>String(s).replace(/[&<>"]/g,(c)=>({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"})[c]);
function series(index,scale){const by=new Map();for(const s of samples){for(const p of s.w){const id=p[0];if(!by.has(id))by.set(id,[]);by.get(id).push([s.t,p[index]*scale,p[1]])}}return by}
function niceMax(v){if(v<=0)return 1;const e=Math.pow(10,Math.floor(Math.log10(v)));for(const m of[1,2,2.5,5,10])if(m*e>=v)return m*e;return 10*e}
function draw(id,index,scale,fixedMax){
  const svg=$("chart-"+id),W=svg.clientWidth||600,H=svg.clientHeight||190,L=44,R=8,T=8,B=20;
  const now=samples.length?samples[samples.length-1].t:Date.now(),t0=now-Math.min(windowMs,Math.max(30000,now-(samples[0]?samples[0].t:now))),step=now-t0<=120000?15000:now-t0<=600000?60000:300000;
  const by=series(index,scale);let max=fixedMax||0;if(!fixedMax)for(const pts of by.values())for(const p of pts)max=Math.max(max,p[1]);max=fixedMax||niceMax(max*1.1);
  const x=(t)=>L+(W-L-R)*(t-t0)/Math.max(1,now-t0),y=(v)=>T+(H-T-B)*(1-v/max);
  let out="";for(let i=0;i<=4;i++){const v=max*i/4,yy=y(v);out+='<line class="axis" x1="'+L+'" x2="'+(W-R)+'" y1="'+yy+'" y2="'+yy+'"/><text class="tick" x="'+(L-4)+'" y="'+(yy+3)+'" text-anchor="end">'+(Math.round(v*10)/10)+"</text>"}
  for(let m=0;m*step<=now-t0;m++){const xx=x(now-m*step),ago=m*step/1000;out+='<text class="tick" x="'+xx+'" y="'+(H-6)+'" text-anchor="'+(m?"middle":"end")+'">'+(m?"-"+(ago<60?ago+"s":ago/60+"m"):"now")+"</text>"}
  for(const e of events){if(e.t<t0)continue;const xx=x(e.t);out+='<line x1="'+xx+'" x2="'+xx+'" y1="'+T+'" y2="'+(H-B)+'" stroke="'+(MARK[e.kind]||"var(--dim)")+'" stroke-dasharray="4 3" stroke-width="1.5"><title>'+esc(new Date(e.t).toLocaleTimeString()+" "+e.text)+"</title></line>"}
  let legend="",n=0;for(const [wid,pts] of [...by.entries()].sort((a,b)=>a[0]-b[0])){const c=COLORS[(wid-1)%COLORS.length];let pid=null;const d=pts.filter((p)=>p[0]>=t0).map((p)=>{const move=p[2]!==pid;pid=p[2];return(move?"M":"L")+x(p[0]).toFixed(1)+" "+y(Math.min(p[1],max)).toFixed(1)}).join("");if(d){out+='<path d="'+d+'" fill="none" stroke="'+c+'" stroke-width="1.8"/>';n++}legend+='<span><i style="background:'+c+'"></i>worker '+wid+"</span>"}
  svg.innerHTML=out;svg.dataset.series=String(n);$("legend-"+id).innerHTML=legend}
function render(d){
  $("service").textContent=d.service+" ("+d.kind+")";const st=$("state");st.textContent=d.state;st.className="state-"+d.state;
  $("generation").textContent=d.generation;$("count").textContent=d.workers.length;$("mrss").textContent=mib(d.master.rss)+" MiB";
  $("rps").textContent=(Math.round(d.workers.reduce((t,w)=>t+(w.rps||0),0)*10)/10).toString();
  $("workers").innerHTML=d.workers.map((w)=>"<tr"+(w.busy?' class="busy"':"")+"><td>"+w.id+"</td><td>"+esc(w.role)+"</td><td>"+(w.pid??"-")+"</td><td>"+esc(w.state)+(w.busy?" [busy]":"")+"</td><td>"+(w.rps??0)+"</td><td>"+(w.rss?mib(w.rss)+"M":"-")+"</td><td>"+(w.heapUsed?mib(w.heapUsed)+"M":"-")+"</td><td>"+(w.elu??0).toFixed(2)+"</td><td>"+w.requests+"</td><td>"+(w.inflight??0)+"</td><td>"+(w.connections??0)+"</td><td>"+w.restarts+"</td><td>"+w.staleSeconds+" s</td></tr>").join("");
  $("events").innerHTML=events.slice().reverse().map((e)=>'<div><span style="color:'+(MARK[e.kind]||"inherit")+'">●</span> '+esc(new Date(e.t).toLocaleTimeString())+" "+esc(e.text)+"</div>").join("")||'<div class="kv">none yet</div>';
  draw("rps",2,1);draw("rss",3,1/1048576);draw("elu",5,100,100);document.body.dataset.samples=String(samples.length)}
async function poll(){
  try{const r=await fetch("live.json?since="+last+"&events="+lastEvent,{cache:"no-store"});const d=await r.json();windowMs=d.historySeconds*1000;
    samples=samples.concat(d.samples).filter((s)=>s.t>d.now-windowMs);events=events.concat(d.events).filter((e)=>e.t>d.now-windowMs);
    if(d.samples.length)last=d.samples[d.samples.length-1].t;if(d.events.length)lastEvent=d.events[d.events.length-1].t;
    $("error").textContent="";render(d)}catch(e){$("error").textContent="no answer from the master: "+e.message}
  setTimeout(poll,1000)}
poll();
</script></body></html>
`;
