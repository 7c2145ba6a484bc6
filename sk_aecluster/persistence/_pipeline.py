"""scikit-learn pipelines: their steps, each a model of its own kind."""

from ._kind import Kind


def _classes():
    from sklearn.pipeline import Pipeline

    return {"sklearn.pipeline.Pipeline": Pipeline}


def encode(enc, pipe, _name, where):
    """The entry of a pipeline: its steps and its own attributes."""
    steps = []
    for name, step in pipe.steps:
        if step is None or step == "passthrough":
            steps.append([name, step])
        else:
            steps.append([name, enc.model(step, f"{where}.{name}")])
    state = {k: v for k, v in pipe.__getstate__().items() if k != "steps"}
    return {"$t": "pipeline", "steps": steps, "state": enc.value(state, where)}


def decode(dec, node, where):
    """The pipeline of an entry, its steps decoded kind by kind."""
    from sklearn.pipeline import Pipeline

    steps = node.get("steps")
    if not isinstance(steps, list) or not steps:
        dec.fail(where, "a pipeline needs a list of steps")
    out = []
    for step in steps:
        if not (isinstance(step, list) and len(step) == 2 and isinstance(step[0], str)):
            dec.fail(where, "a pipeline step must be [name, model]")
        name, sub = step
        if sub is None or sub == "passthrough":
            out.append((name, sub))
        else:
            out.append((name, dec.model(sub, f"{where}.{name}")))
    state = dec.attributes(node.get("state"), where)
    if set(state) - {"memory", "verbose", "transform_input", "_sklearn_version",
                     "_sklearn_output_config"}:
        dec.fail(where, "unexpected pipeline attributes")
    if not (state.get("memory") is None or isinstance(state.get("memory"), str)):
        dec.fail(where, "a pipeline's memory must be None or a path")
    pipe = Pipeline.__new__(Pipeline)
    state["steps"] = out
    dec.set_state(pipe, state, where)
    try:
        pipe._validate_params()
        pipe._validate_steps()
    except (TypeError, ValueError) as exc:
        dec.fail(where, str(exc))
    return pipe


KIND = Kind("pipeline", _classes, encode, decode)
