#!/bin/bash
# default_batch.sh < CASES: for each line "MODEL SYSTEM BACKEND GPUS ISL OSL TTFT TPOT" (MODEL relative to
# ../shared), run the reference's cli_default (default_ref.py; its answers are kept in $OUT/ref) and
# pipelines/default, then compare the four saved CSVs byte for byte, model column aside (the
# reference writes the path it was given, we write the Hugging Face name).
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=$(cd "${SHARED:-$root/../shared}" && pwd)
out=${OUT:-/tmp/infercast-refdiff}
mkdir -p "$out/ref" "$out/ours"
while read -r m s b g isl osl ttft tpot; do
	[ -z "$m" ] && continue
	name=$(basename "$m")_${s}_${b}_${g}_${isl}_${osl}
	ref=$out/ref/$name ours=$out/ours/$name
	[ -d "$ref" ] || timeout 2400 "${PYTHON:-python3}" "$here/default_ref.py" "$m" "$s" "$b" "$g" "$isl" "$osl" "$ttft" "$tpot" "$ref" >"$ref.log" 2>&1
	rm -rf "$ours"
	rc=0
	INFERCAST_DATA=$shared/data timeout 600 "$root/pipelines/default" --model "$shared/$m" --system "$s" --backend "$b" \
		--total-gpus "$g" --isl "$isl" --osl "$osl" --ttft "$ttft" --tpot "$tpot" --fidelity reference \
		--save-dir "$ours" >"$ours.log" 2>&1 || rc=$?
	rd=$(ls -d "$ref"/*/ 2>/dev/null | head -1)
	if [ -z "$rd" ]; then
		why=$(grep -v '^ ' "$ref.log" | tail -n 1)
		if [ $rc -ne 0 ]; then echo "$name: both refuse (reference: $why)"; else echo "$name DIFFER: only the reference refuses ($why)"; fi
		continue
	fi
	[ $rc -ne 0 ] && echo "$name DIFFER: only ours refuses ($(tail -n 1 "$ours.log" | cut -c1-200))"
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		[ -f "$rd/$f" ] || [ -f "$ours/$f" ] || continue
		if cmp -s <(cut -d, -f2- "$rd/$f" 2>/dev/null) <(cut -d, -f2- "$ours/$f" 2>/dev/null); then
			echo "$name $f identical"
		else
			echo "$name $f DIFFER"
		fi
	done
done
