"""A small stand-in for fire.Fire(main): --name value / --name=value flags
become keyword arguments, converted to the type of the parameter's default
or read as a Python literal as fire does (uses the real `fire` when it is
installed)."""

import ast
import inspect
import sys


def Fire(main):
    try:
        import fire

        return fire.Fire(main)
    except ImportError:
        pass
    params = inspect.signature(main).parameters
    kwargs, args = {}, sys.argv[1:]
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            sys.exit(f"{sys.argv[0]}: unexpected argument {arg!r} (use --name value)")
        name, _, value = arg[2:].partition("=")
        if not value:
            i += 1
            if i >= len(args):
                sys.exit(f"{sys.argv[0]}: --{name} needs a value")
            value = args[i]
        name = name.replace("-", "_")
        if name not in params:
            sys.exit(f"{sys.argv[0]}: unknown option --{name} (options: {', '.join(params)})")
        default = params[name].default
        if default not in (None, inspect.Parameter.empty):
            kwargs[name] = type(default)(value)
        else:
            try:
                kwargs[name] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                kwargs[name] = value
        i += 1
    return main(**kwargs)
