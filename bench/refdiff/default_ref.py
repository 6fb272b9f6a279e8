# Run the reference's cli_default on one case and save its agg/disagg CSVs under OUT.
# usage: python3 default_ref.py MODEL SYSTEM BACKEND GPUS ISL OSL TTFT TPOT OUT [REQUEST_LATENCY]
# (REQUEST_LATENCY in ms: the end-to-end SLA of --request-latency); STRICT_SLA=1 in the
# environment passes strict_sla=True
import sys, os, time, logging
# (the model path is made absolute: with '..' in it the reference saved nothing for some models)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('AIC_SRC', '/tmp/aic/src')); sys.path.append(os.path.join(HERE, 'stubs'))
logging.disable(logging.CRITICAL)
from aiconfigurator.cli.api import cli_default
m, s, b, g, isl, osl, ttft, tpot, out = sys.argv[1:10]
extra = {'request_latency': float(sys.argv[10])} if len(sys.argv) > 10 else {}
if os.environ.get('STRICT_SLA') == '1':
    extra['strict_sla'] = True
t = time.time()
r = cli_default(os.path.abspath(os.path.join(os.environ.get('SHARED', os.path.join(HERE, '../../../shared')), m)), int(g), s, backend=b, isl=int(isl), osl=int(osl), ttft=float(ttft), tpot=float(tpot), save_dir=out, **extra)
print('reference seconds %.1f' % (time.time() - t))
