# Differential test: random agg/disagg deployments, the reference's cli_estimate against pipelines/estimate.
# usage: python3 serving_diff.py SEED N
import sys, json, os, random, subprocess
sys.argv = [sys.argv[0]] + sys.argv[1:]
src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'static_diff.py')).read().replace('\nmain()\n', '\n')
exec(src)

def par(r, m, c, pre):
    tp = r.choice([1, 1, 2, 2, 4, 8]); pp = r.choice([1, 1, 1, 2])
    c[pre + 'tp'] = tp; c[pre + 'pp'] = pp
    if is_moe(m):
        dp = r.choice([1, 1, 2, 4]) if r.random() < 0.3 else 1
        c[pre + 'dp'] = dp
        w = tp * dp
        ep = r.choice([d for d in (1, 2, 4, 8, 16, 32) if w % d == 0])
        c[pre + 'moe_tp'] = w // ep; c[pre + 'moe_ep'] = ep

def sgen(r):
    c = gen(r)
    m = c['model'].split('/', 1)[1]
    for k in ('tp', 'pp', 'dp', 'moe_tp', 'moe_ep', 'mode', 'batch_size'): c.pop(k, None)
    if r.random() < 0.5:
        c['mode'] = 'agg'; par(r, m, c, '')
        c['batch_size'] = int(round(2 ** r.uniform(0, 9)))
        if r.random() < 0.3: c['ctx_tokens'] = int(round(2 ** r.uniform(8, 14)))
    else:
        c['mode'] = 'disagg'; par(r, m, c, 'prefill_'); par(r, m, c, 'decode_')
        c['prefill_batch_size'] = r.choice([1, 1, 2, 4]); c['prefill_num_workers'] = r.choice([1, 2, 3, 4])
        c['decode_batch_size'] = int(round(2 ** r.uniform(0, 9))); c['decode_num_workers'] = r.choice([1, 2])
    return c

def sref(c):
    from aiconfigurator.cli.api import cli_estimate
    from aiconfigurator.sdk import perf_database as P
    for a in P.databases_cache.values():
        for b in a.values():
            for db in b.values(): db.set_default_database_mode(common.DatabaseMode.SILICON)
    kw = dict(mode=c['mode'], backend_name=c['backend'], database_mode=c.get('database_mode', 'SILICON'),
              isl=c['isl'], osl=c['osl'], gemm_quant_mode=c.get('gemm_quant'), kvcache_quant_mode=c.get('kvcache_quant'),
              fmha_quant_mode=c.get('fmha_quant'), moe_quant_mode=c.get('moe_quant'), prefix=c.get('prefix', 0), nextn=c.get('nextn', 0))
    if c['mode'] == 'agg':
        kw.update(batch_size=c['batch_size'], ctx_tokens=c.get('ctx_tokens'), tp_size=c['tp'], pp_size=c['pp'],
                  attention_dp_size=c.get('dp', 1), moe_tp_size=c.get('moe_tp'), moe_ep_size=c.get('moe_ep'))
    else:
        for side in ('prefill', 'decode'):
            for k, f in (('tp', 'tp_size'), ('pp', 'pp_size'), ('dp', 'attention_dp_size'), ('moe_tp', 'moe_tp_size'),
                         ('moe_ep', 'moe_ep_size'), ('batch_size', 'batch_size'), ('num_workers', 'num_workers')):
                if c.get(side + '_' + k) is not None: kw[side + '_' + f] = c[side + '_' + k]
    res = cli_estimate(SH + '/' + c['model'], c['system'], **kw)
    r = res.raw
    return {k: float(r[k]) for k in ('ttft', 'tpot', 'tokens/s/gpu', 'tokens/s/user')}

SIDE = (('tp', 'tp'), ('pp', 'pp'), ('dp', 'dp'), ('moe_tp', 'moe-tp'), ('moe_ep', 'moe-ep'), ('batch_size', 'batch'), ('num_workers', 'workers'))

def sours(c):
    a = [MAIN + '/pipelines/estimate', '--model', SH + '/' + c['model'], '--system', c['system'], '--backend', c['backend'],
         '--isl', str(c['isl']), '--osl', str(c['osl']), '--mode', c['mode'], '--format', 'jsonl'] + flags(c, (
        ('prefix', '--prefix'), ('ctx_tokens', '--ctx-tokens'), ('nextn', '--nextn'), ('gemm_quant', '--gemm-quant'),
        ('kvcache_quant', '--kvcache-quant'), ('fmha_quant', '--fmha-quant'), ('moe_quant', '--moe-quant')))
    if c.get('database_mode'): a += ['--database-mode', c['database_mode'].lower()]
    if c['mode'] == 'agg':
        a += flags(c, (('batch_size', '--batch'), ('tp', '--tp'), ('pp', '--pp'), ('dp', '--dp'), ('moe_tp', '--moe-tp'), ('moe_ep', '--moe-ep')))
    else:
        for side in ('prefill', 'decode'):
            a += flags(c, tuple(('%s_%s' % (side, k), '--%s-%s' % (side, f)) for k, f in SIDE))
    p = subprocess.run(a, capture_output=True, text=True, env=dict(os.environ, INFERCAST_DATA=SH + '/data'))
    if p.returncode: return dict(err=(p.stderr.strip().splitlines() or ['?'])[-1][:200])
    o = json.loads(p.stdout.strip().splitlines()[-1])
    return {'ttft': o['ttft_ms'], 'tpot': o['tpot_ms'], 'tokens/s/gpu': o['tokens_per_s_per_gpu'], 'tokens/s/user': o['tokens_per_s_per_user']}

def scompare(c, r, o):
    if 'err' in r and 'err' in o: return None
    if 'err' in r: return 'ref refuses (%s), ours %r' % (r['err'], o)
    if 'err' in o: return 'ours refuses (%s), ref %r' % (o['err'], r)
    slack = 0.0005 if c['mode'] == 'disagg' else 0.0
    w = max(((max(0.0, abs(o[k] - r[k]) - slack) / max(abs(r[k]), 1e-12), k, o[k], r[k]) for k in r), key=lambda t: t[0])
    return None if w[0] <= 1e-6 else 'rel %.3g at %s (ours %r ref %r)' % w

seed, n = int(sys.argv[1]), int(sys.argv[2])
rr_ = random.Random(seed); bad = 0
for i in range(n):
    c = sgen(rr_)
    try: rv = sref(c)
    except Exception as e: rv = dict(err=type(e).__name__ + ': ' + str(e)[:150])
    ov = sours(c)
    d = scompare(c, rv, ov)
    if d and 'Qwen3-VL' in c['model'] and '-A' not in c['model'] and 'err' in rv and 'err' not in ov: d = None
    if d: bad += 1; print('DIFF', json.dumps(c), '\n   ', d, flush=True)
print('seed %d: %d cases, %d differ' % (seed, n, bad))
