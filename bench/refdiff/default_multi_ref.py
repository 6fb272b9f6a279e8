# Run the reference's `cli default` with --backend auto (or one backend and --decode-system) and
# write the CSV files save_results writes, without its deployment files: OUT/agg and OUT/disagg
# best_config_topn.csv and pareto.csv (the merged tables when several backends ran).
# usage: python3 default_multi_ref.py MODEL SYSTEM BACKEND GPUS ISL OSL TTFT TPOT OUT [DECODE_SYSTEM]
import sys, os, logging
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.environ.get('AIC_SRC', '/tmp/aic/src')); sys.path.append(os.path.join(HERE, 'stubs'))
logging.disable(logging.CRITICAL)
from aiconfigurator.cli.main import build_default_task_configs, _execute_task_configs
m, s, b, g, isl, osl, ttft, tpot, out = sys.argv[1:10]
decode = sys.argv[10] if len(sys.argv) > 10 else None
model = os.path.abspath(os.path.join(os.environ.get('SHARED', os.path.join(HERE, '../../../shared')), m))
tasks = build_default_task_configs(model_path=model, total_gpus=int(g), system=s, decode_system=decode, backend=b,
                                   isl=int(isl), osl=int(osl), ttft=float(ttft), tpot=float(tpot))
chosen, best, fronts, _, _ = _execute_task_configs(tasks, 'default', top_n=5)
for mode, df in best.items():
    os.makedirs(os.path.join(out, mode), exist_ok=True)
    if df is not None:
        df.drop(columns=['_per_ops_source'], errors='ignore').to_csv(os.path.join(out, mode, 'best_config_topn.csv'), index=False)
    if fronts.get(mode) is not None:
        fronts[mode].drop(columns=['_per_ops_source'], errors='ignore').to_csv(os.path.join(out, mode, 'pareto.csv'), index=False)
print('chosen', chosen)
