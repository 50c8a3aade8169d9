"""``skser export``: a model's classifiers as ONNX graphs."""

from pathlib import Path

from ._common import CLIError
from ._data import _load_model


def _cmd_export(args):
    """``skser export MODEL --onnx [FOLDER]``: the model's classifiers as ONNX
    graphs and a manifest (`skser.export_onnx`)."""
    from .._export import MANIFEST, export_onnx

    if args.onnx is None:
        raise CLIError("say what to export to: --onnx [FOLDER] (the only format so far).")
    model_path = Path(args.model)
    folder = Path(args.onnx) if args.onnx is not True else \
        model_path.with_name(model_path.stem + "-onnx")
    model = _load_model(model_path, allow_pickle=args.allow_pickle)
    manifest = export_onnx(model, folder)
    print(f"Exported {len(manifest['graphs'])} ONNX graph(s) of {str(model_path)!r} to "
          f"{str(folder)!r}:")
    for graph in manifest["graphs"]:
        member = f" (member {graph['member']!r}, weight {graph['weight']:.3g})" \
            if graph["member"] else ""
        print(f"  {graph['file']}{member}: input {graph['input']['shape']} = "
              f"{' then '.join(graph['features']) or 'the features'}")
    print(f"Classes (the output columns): {', '.join(map(str, manifest['classes']))}. "
          f"{MANIFEST} says which skser steps make each graph's input; see "
          "docs/pipeline.md, 'Deploying with ONNX'.")
