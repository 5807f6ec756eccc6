"""Checks the Airflow DAG without Airflow (standard library only): python3 check_dag.py DAG_FILE --job-options ...

Reads the DAG file's syntax tree and checks that every option it passes to the job and to CheckPublished is one the
job's command line accepts, that the run date is Airflow's {{ ds }}, that backfills run one date at a time, and that
exit statuses 2 and 3 fail the task without a retry. Prints each problem; exits 1 when there is one.
"""
import ast
import sys


def literal(tree, name):
    """The value of a module-level NAME = <literal>, or None; in a list, an element that is not a literal (a name, an
    f-string) is None."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            if isinstance(node.value, ast.List):
                return [evaluate(element) for element in node.value.elts]
            return evaluate(node.value)
    return None


def evaluate(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def keywords_of_call(tree, function):
    """Keyword arguments (literal values) of the first call of FUNCTION."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == function:
            values = {}
            for keyword in node.keywords:
                try:
                    values[keyword.arg] = ast.literal_eval(keyword.value)
                except ValueError:
                    values[keyword.arg] = ast.unparse(keyword.value)
            return values
    return None


def problems(source, job_options):
    tree = ast.parse(source)
    found = []
    for name in ("JOB_ARGS", "CHECK_ARGS"):
        args = literal(tree, name)
        if not isinstance(args, list):
            found.append(f"{name}: a list literal of the job's arguments is expected")
            continue
        for option in (a for a in args if isinstance(a, str) and a.startswith("--")):
            if option not in job_options:
                found.append(f"{name}: {option} is not an option of the job (it accepts {sorted(job_options)})")
        if "--run-date" not in args or args.index("--run-date") + 1 >= len(args) \
                or args[args.index("--run-date") + 1] != "{{ ds }}":
            found.append(f"{name}: the run date must be --run-date {{{{ ds }}}} (Airflow's logical date)")
    dag = keywords_of_call(tree, "DAG") or {}
    if dag.get("max_active_runs") != 1:
        found.append("DAG: max_active_runs must be 1 (a run's start repairs what a killed run left)")
    if dag.get("catchup") is not True:
        found.append("DAG: catchup must be True (backfills; runs are idempotent)")
    if literal(tree, "NO_RETRY_EXIT_CODES") != {2, 3}:
        found.append("NO_RETRY_EXIT_CODES must be {2, 3}: configuration and data-quality failures are not retried")
    raises_fail = any(isinstance(node, ast.Raise) and node.exc is not None
                      and "AirflowFailException" in ast.unparse(node.exc) for node in ast.walk(tree))
    if not raises_fail:
        found.append("no task raises AirflowFailException: exit 2 and 3 would be retried")
    check = keywords_of_call(tree, "PythonOperator") is not None and any(
        isinstance(node, ast.Call) and any(k.arg == "task_id" and ast.literal_eval(k.value) == "check_published"
                                           for k in node.keywords if isinstance(k.value, ast.Constant))
        for node in ast.walk(tree))
    if not check:
        found.append("no check_published task: in cluster deploy mode the exit status may be lost")
    return found


def main(argv):
    if len(argv) < 3 or argv[2] != "--job-options":
        print("usage: check_dag.py DAG_FILE --job-options OPTION ...", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as dag_file:
        found = problems(dag_file.read(), set(argv[3:]))
    for problem in found:
        print(problem)
    print("dag=" + argv[1] + " problems=" + str(len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
