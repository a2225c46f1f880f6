"""Every message the exercise checks and the grader show, in English and Chinese: one table.

    >>> from raftlib import i18n
    >>> from raftlib.checks.messages import RULE, say
    >>> i18n.set_language("zh")
    >>> say("not_done", name="majority")
    '`majority` 还没有写：把 `raise NotImplementedError()` 换成你的代码。'
    >>> f"{RULE}Figure 2"
    '规则：Figure 2'
    >>> i18n.set_language("en")

The language is the learner's: :func:`raftlib.i18n.get_language`, which in a
kernel is the notebook folder's (``exercises/<assignment>-zh/`` holds the marker
``raft-course.json``; nbgrader copies it into the folder it grades in). The
independent re-check, which runs in an empty folder, is told the language of the
graded notebook's folder. :class:`Msg` is a message whose text is chosen when it
is shown, so a rule kept in a module constant follows the language of the moment.
"""

from __future__ import annotations

from .. import i18n

#: key -> (English, Chinese); ``{name}`` fields are filled by :func:`say`'s keyword arguments.
MESSAGES: dict[str, tuple[str, str]] = {
    # labels
    "rule": ("Rule: ", "规则："),
    "hint": ("Hint: ", "提示："),
    "seed": ("{name} (seed {seed}): ", "{name}（种子 {seed}）："),
    # the learner's function (raftlib.checks.common)
    "not_done": ("`{name}` is not written yet: replace `raise NotImplementedError()` with your "
                 "code.",
                 "`{name}` 还没有写：把 `raise NotImplementedError()` 换成你的代码。"),
    "timeout": ("`{name}` did not return within {seconds:g} s{doing}: is there an endless loop?",
                "`{name}` 没有在 {seconds:g} 秒内返回{doing}：是不是有死循环？"),
    "system_exit": ("`{name}` called sys.exit({code!r}) (raised SystemExit){doing}: a graded "
                    "function must return, never stop Python",
                    "`{name}` 调用了 sys.exit({code!r})（抛出了 SystemExit）{doing}：被评分的函数"
                    "必须返回，绝不能让 Python 停止"),
    "raised": ("`{name}` raised {error}: {detail}{doing}",
               "`{name}` 抛出了 {error}：{detail}{doing}"),
    "stopped": ("`{name}` was stopped: {problem}", "`{name}` 被拦下：{problem}"),
    "not_a_function": ("expected the function `{name}` you wrote with `def {name}(...)`, got "
                       "{kind} {value!r}",
                       "这里需要你用 `def {name}(...)` 写的函数 `{name}`，得到的却是 {kind} {value!r}"),
    "while_node": (" while {node} ({state})", "（在 {node} 处于 {state} 时"),
    "was_given": (" was given {args}", "，收到参数 {args}"),
    "while_end": ("", "）"),
    "for_args": (" for {args}", "（参数为 {args}）"),
    "none_of_yours": ("this question runs your functions together, and none of them passes its "
                      "own question yet, so nothing of yours is left to run here. First: {failure}",
                      "这道题把你的几个函数放在一起运行，但它们都还没有通过各自的题目，所以这里没有你的代码"
                      "可以运行。第一个问题：{failure}"),
    "stood_in": ("\n(In this question the library's {names} stood in for yours, whose own question "
                 "fails: that bug costs only that question.)",
                 "\n（在这道题中，库里的 {names} 代替了你的版本，因为你的版本没有通过它自己的题目："
                 "这个错误只在那道题扣分。）"),
    "library_failed": ("the library's code failed with {error}: {detail}, on the state your "
                       "functions left (is every field of Figure 2 kept as the library expects?)",
                       "库的代码在你的函数留下的状态上出错：{error}: {detail}"
                       "（图 2 的每个字段是否都按库的预期保存？）"),
    # what graded code may do (raftlib.checks.lint)
    "lint_line": ("line {line} of `{name}`: {text}", "`{name}` 第 {line} 行：{text}"),
    "lint_decorator": ("decorators are not allowed in graded code", "被评分的代码中不允许使用装饰器"),
    "lint_import": ("no imports inside graded functions; the setup cell imports what you need",
                    "被评分的函数内部不能 import；需要的东西由设置单元格导入"),
    "lint_global": ("`global` is not allowed: return values or change `self` instead",
                    "不允许使用 `global`：请返回值，或者修改 `self`"),
    "lint_name": ("`{name}` is not allowed in graded code", "被评分的代码中不允许使用 `{name}`"),
    "lint_name_self": (" (call the method you are writing on `self`, never the library's own)",
                       "（在 `self` 上调用你正在写的方法，绝不调用库里自带的版本）"),
    "lint_name_type": (" (use isinstance(x, cls) to test a type)",
                       "（用 isinstance(x, cls) 判断类型）"),
    "lint_private": ("`.{attr}`: names starting with `_` are private to the library and Python; "
                     "graded code may not touch them",
                     "`.{attr}`：以 `_` 开头的名字是库和 Python 内部私有的；被评分的代码不能碰它们"),
    "lint_handler": ("`.{attr}` of something other than `{owner}`: write the rule yourself "
                     "instead of calling the library's version",
                     "调用了 `{owner}` 以外对象的 `.{attr}`：自己写出规则，不要调用库里的版本"),
    "lint_attribute": ("`.{attr}` is not allowed in graded code",
                       "被评分的代码中不允许使用 `.{attr}`"),
    "lint_dunder": ("the text {text!r} names Python's internals or the grader; graded code may not "
                    "use such names, not even in a string",
                    "文本 {text!r} 指向 Python 的内部机制或评分器；被评分的代码不能使用这样的名字，"
                    "写在字符串里也不行"),
    "lint_except": ("catch specific exceptions (e.g. `except IndexError:`), not everything",
                    "捕获具体的异常（例如 `except IndexError:`），不要什么都捕获"),
    "lint_assign": ("assigning to `{target}`: graded code may change only `self`'s attributes and "
                    "its own local variables",
                    "给 `{target}` 赋值：被评分的代码只能修改 `self` 的属性和它自己的局部变量"),
    "lint_no_source": ("cannot read the source of `{name}`: define it with `def {name}(...):` in "
                       "an answer cell",
                       "读不到 `{name}` 的源代码：请在答案单元格中用 `def {name}(...):` 定义它"),
    "lint_lambda": ("`{name}` must be written with `def`, not `lambda`",
                    "`{name}` 必须用 `def` 来写，不能用 `lambda`"),
    "lint_refused": ("the grader refuses this code:\n  ", "评分器拒绝这段代码：\n  "),
    "lint_module": ("`{name}` uses the module `{module}` ({full}); graded code may use only "
                    "{allowed}",
                    "`{name}` 用了模块 `{module}`（{full}）；被评分的代码只能使用 {allowed}"),
    "lint_class": ("`{name}` uses the class `{cls}` defined in the notebook; the grader keeps only "
                   "functions and constants from answer cells",
                   "`{name}` 用了在笔记本中定义的类 `{cls}`；评分器只保留答案单元格中的函数和常量"),
    "lint_computed": ("`{name}` uses `{value}`, which is computed by code at the top of a cell; "
                      "the grader keeps only imports, `def` functions and literal constants from "
                      "answer cells: compute it inside the function",
                      "`{name}` 用了 `{value}`，而它是由单元格顶层的代码算出来的；评分器只保留答案单元格中的 "
                      "import、`def` 函数和字面量常量：请在函数内部计算它"),
    "lint_syntax": ("the cell has a syntax error (line {line}): {error}",
                    "这个单元格有语法错误（第 {line} 行）：{error}"),
    "lint_dropped": ("line {line}: {first}", "第 {line} 行：{first}"),
    # what graded code meets when it runs (raftlib.checks.sandbox)
    "sandbox_private": ("graded code may not use `{where}`", "被评分的代码不能使用 `{where}`"),
    "sandbox_set_module": ("graded code may not change a module", "被评分的代码不能修改模块"),
    "sandbox_module": ("graded code may not use the module `{where}`",
                       "被评分的代码不能使用模块 `{where}`"),
    "sandbox_reflective": ("graded code may not use `{where}` (it reaches attributes by name)",
                           "被评分的代码不能使用 `{where}`（它按名字访问属性）"),
    "sandbox_event": ("graded code may not do `{what}` (no files, network, processes or changes "
                      "to Python itself while it is graded)",
                      "被评分的代码不能执行 `{what}`（评分期间不能访问文件、网络、进程，也不能改动 "
                      "Python 本身）"),
    "sandbox_library": ("it calls the library's own `{name}`: write the rule yourself instead of "
                        "calling the library's version",
                        "它调用了库里自带的 `{name}`：自己写出规则，不要调用库里的版本"),
    "sandbox_tracing": ("it switched off the grader's call tracing",
                        "它关掉了评分器的调用跟踪"),
    # the cluster runs of exercises 03-05, 08 and 09 (raftlib.checks.runs, .agreement), each
    # named after its scenario function: scenario_<function name>
    "no_leader": ("no leader among {among} within {within:g} s of virtual time (t={now:.2f}s); "
                  "terms: {terms}, roles: {roles}",
                  "在 {within:g} 虚拟秒内 {among} 中没有选出领导者（t={now:.2f}s）；各服务器的任期："
                  "{terms}，角色：{roles}"),
    "not_applied_everywhere": ("after {within:g} s of virtual time not every server applied "
                               "{count} entries: applied counts {have}",
                               "{within:g} 虚拟秒后并非每台服务器都应用了 {count} 个条目：各服务器已应用的"
                               "条目数 {have}"),
    "not_applied_by": ("{command!r} was not applied by {expected} servers within {within:g} s of "
                       "virtual time; entries applied per server: {counts}",
                       "{command!r} 没有在 {within:g} 虚拟秒内被 {expected} 台服务器应用；"
                       "各服务器已应用的条目数：{counts}"),
    "wrong_index": ("command {i} got index {index}, expected {i}",
                    "第 {i} 条命令的索引是 {index}，应该是 {i}"),
    "scenario_basic_agree": ("Basic agreement: 5 servers apply 3 commands in order",
                             "基本一致：5 台服务器按顺序应用 3 条命令"),
    "scenario_follower_rejoins": ("A follower cut off for a while catches up when it comes back",
                                  "被隔离一段时间的跟随者回来后能追上"),
    "scenario_stale_leader_rejoins": ("An old leader with uncommitted entries rejoins and has "
                                      "them replaced",
                                      "带着未提交条目的旧领导者重新加入，这些条目被替换"),
    "scenario_backup": ("Backing up over many conflicting entries (6.824 TestBackup, shorter)",
                        "越过大量冲突条目回退（6.824 TestBackup 的缩短版）"),
    "scenario_unreliable": ("Unreliable network: lost, delayed, duplicated and reordered messages",
                            "不可靠的网络：消息会丢失、延迟、重复和乱序"),
    "scenario_churn": ("Churn: random crashes, restarts and partitions with commands (6.824 "
                       "Figure8Unreliable)",
                       "频繁变动：一边提交命令，一边随机崩溃、重启和分区（6.824 Figure8Unreliable）"),
    "scenario_initial_election": ("Initial election: 3 servers elect one leader that keeps its "
                                  "term while nothing fails",
                                  "初次选举：3 台服务器选出一个领导者，没有故障时它一直保持自己的任期"),
    "scenario_re_election": ("Re-election: a new leader after the leader is cut off, none "
                             "without a majority",
                             "重新选举：领导者被隔离后选出新的领导者，没有过半数时选不出领导者"),
    "scenario_many_elections": ("Many elections: 7 servers, 3 random ones cut off again and "
                                "again",
                                "多次选举：7 台服务器，一再随机隔离其中 3 台"),
    "scenario_longer_stale_log": ("Election restriction: a longer log of an older term must not "
                                  "win",
                                  "选举限制：任期更旧但更长的日志不能胜出"),
    "scenario_lossy_network": ("Lossy network: elections still finish when votes are lost and "
                               "delayed",
                               "丢包的网络：选票丢失和延迟时选举仍能完成"),
    "scenario_figure8": ("Figure 8: a term-2 entry on a majority is overwritten by a later leader",
                         "图 8：存储在过半数服务器上的任期 2 条目被后来的领导者覆盖"),
    "scenario_fail_no_agree": ("No agreement without a majority: 3 of 5 followers cut off",
                               "没有过半数就没有一致：5 台中的 3 个跟随者被隔离"),
    "scenario_crashes_in_writes": ("Crashes in the middle of disk writes while commands commit "
                                   "(3 servers)",
                                   "命令提交期间在磁盘写入中途崩溃（3 台服务器）"),
    "scenario_crashes_anytime": ("Crashes and restarts at random moments while commands commit "
                                 "(3 servers)",
                                 "命令提交期间在随机时刻崩溃和重启（3 台服务器）"),
    "scenario_retries": ("Two retrying clients append while leaders crash before replying (3 "
                         "servers)",
                         "两个会重试的客户端执行追加，而领导者在回复之前崩溃（3 台服务器）"),
    # the grader (raftlib.checks.recheck, raftlib.checks.rerun)
    "recheck_failed": ("This test passed in your notebook but failed when the grader re-ran it on "
                       "its own, with only your answer cells' imports, functions and constants: ",
                       "这个测试在你的笔记本里通过了，但评分器只用你答案单元格中的 import、函数和常量"
                       "单独重新运行它时失败了："),
    "recheck_left_out": ("\nThe grader left out this code of your answer cells:\n  ",
                         "\n评分器略去了你答案单元格中的这些代码：\n  "),
    "recheck_not_reached": ("the re-check did not reach this cell (it ran out of time or crashed)",
                            "重新检查没有运行到这个单元格（超时或崩溃了）"),
    "recheck_cell_timeout": ("the cell ran for more than {seconds} s",
                             "这个单元格运行超过了 {seconds} 秒"),
    "recheck_system_exit": ("SystemExit: the code called sys.exit({code!r}) or raised SystemExit; "
                            "graded code must return, never stop Python",
                            "SystemExit：代码调用了 sys.exit({code!r}) 或抛出了 SystemExit；"
                            "被评分的代码必须返回，绝不能让 Python 停止"),
    "cell_timed_out": ("{cell} ran longer than the {seconds} s a cell may take and did not stop "
                       "when interrupted (does it catch every exception, e.g. a bare `except:`?)",
                       "{cell}运行超过了一个单元格允许的 {seconds} 秒，被中断时也没有停下"
                       "（它是否捕获了所有异常，例如用了一个裸的 `except:`？）"),
    "kernel_died": ("the kernel died while running {cell} (os._exit, a crash, or too much "
                    "memory); nothing after it could run",
                    "内核在运行{cell}时死掉了（os._exit、崩溃或内存过多）；其后的内容都无法运行"),
    "which_cell": ("cell {number}{grade_id}, which starts `{first}`,",
                   "第 {number} 个单元格{grade_id}（开头是 `{first}`）"),
    "must_be_bool": ("{what} must be True or False, got {kind} {value!r}",
                     "{what} 必须是 True 或 False，得到的是 {kind} {value!r}"),
    "must_be_int": ("{what} must be an int, got {kind} {value!r}",
                    "{what} 必须是 int，得到的是 {kind} {value!r}"),
    # the learner's one-command grading (raftlib.grade)
    "grade_not_graded": ("nbgrader could not grade this notebook: {why}",
                         "nbgrader 无法为这个笔记本评分：{why}"),
    "grade_see_log": ("see nbgrader's log (python -m raftlib.grade ... --logs FOLDER)",
                      "请查看 nbgrader 的日志（python -m raftlib.grade ... --logs FOLDER）"),
    "grade_failed": ("failed", "未通过"),
    "grade_question": ("question", "题目"),
    "grade_points": ("points", "得分"),
    "grade_max": ("max", "满分"),
    "grade_total": ("total", "合计"),
    "grade_ok": ("ok", "通过"),
    "grade_lost": ("lost", "失分"),
    "grade_not_isolated": ("note: graded without OS isolation ({why}): the notebooks' code ran "
                           "with your rights. Install bubblewrap to grade other people's "
                           "notebooks.",
                           "注意：这次评分没有操作系统级的隔离（{why}）：笔记本中的代码以你的权限运行。"
                           "要为别人的笔记本评分，请安装 bubblewrap。"),
    # exercise 01 (raftlib.checks.quorums)
    "q_int": ("{name}({n}) returned {got!r}; it must be the int {want}. {rule}",
              "{name}({n}) 返回了 {got!r}；它必须是整数 {want}。{rule}"),
    "q_list_of_sets": ("{what} must return a list of sets, got {kind}",
                       "{what} 必须返回集合的列表，得到的是 {kind}"),
    "q_bad_quorum": ("{what} returned {q!r}: every quorum must be a set of distinct servers from "
                     "{servers}",
                     "{what} 返回了 {q!r}：每个法定人数集合都必须是由 {servers} 中互不相同的服务器组成的集合"),
    "q_twice": ("{what} returned the same quorum twice", "{what} 把同一个法定人数集合返回了两次"),
    "q_majorities": ("majorities({servers}) is wrong: missing e.g. {missing}, not a majority e.g. "
                     "{extra}. Every subset with at least {need} of the {n} servers is a majority.",
                     "majorities({servers}) 不对：缺少的例如 {missing}，不是多数派的例如 {extra}。"
                     "{n} 台服务器中至少有 {need} 台的每个子集都是多数派。"),
    "q_intersect": ("intersect({x}, {y}) returned {r}: two quorums intersect when some server is "
                    "in both.",
                    "intersect({x}, {y}) 返回了 {r}：只要有一台服务器同时在两个法定人数集合中，它们就相交。"),
    "q_always_majorities": ("always_intersect(every majority of {servers}) returned {r}; any two "
                            "majorities share a server, so it must be True.",
                            "always_intersect({servers} 的所有多数派) 返回了 {r}；任意两个多数派都有一台"
                            "共同的服务器，所以它必须是 True。"),
    "q_always_halves": ("always_intersect(every set of {half} of {n} servers) returned {r}; two "
                        "disjoint halves do not intersect, so it must be False. (That is why a "
                        "quorum must be a majority.)",
                        "always_intersect({n} 台服务器中每 {half} 台组成的所有集合) 返回了 {r}；"
                        "两个不相交的一半并不相交，所以它必须是 False。（这就是法定人数必须是多数派的原因。）"),
    "q_always_single": ("always_intersect of a single quorum must be True (no pair fails)",
                        "只有一个法定人数集合时 always_intersect 必须是 True（没有哪一对不相交）"),
    "q_availability": ("{what} returned {got!r}; it must be the float {want:.12g}. A majority of "
                       "the n servers must be up; each server is down with probability p, "
                       "independently: sum over k >= majority of C(n, k) (1-p)^k p^(n-k).",
                       "{what} 返回了 {got!r}；它必须是浮点数 {want:.12g}。n 台服务器中必须有过半数在线；"
                       "每台服务器以概率 p 宕机，彼此独立：对 k >= majority 求和 "
                       "C(n, k) (1-p)^k p^(n-k)。"),
    "q_four": ("availability(4, {p}) = {four} should be below availability(3, {p}) = {three}: a "
               "fourth server adds a failure point but no failure tolerance.",
               "availability(4, {p}) = {four} 应该低于 availability(3, {p}) = {three}：第四台服务器"
               "多了一个故障点，却没有多容忍一台故障。"),
    "q_not_figure": ("availability_plot() must return the matplotlib Figure, got {kind}",
                     "availability_plot() 必须返回 matplotlib 的 Figure，得到的是 {kind}"),
    "q_one_axes": ("the figure must have one plot (Axes), it has {count}",
                   "图中必须只有一个坐标系（Axes），现在有 {count} 个"),
    "q_labels": ("label both axes (ax.set_xlabel, ax.set_ylabel)",
                 "给两条坐标轴都加上标签（ax.set_xlabel、ax.set_ylabel）"),
    "q_legend": ("add a legend (ax.legend()) so the reader knows which line is which n",
                 "加上图例（ax.legend()），让读者知道哪条线对应哪个 n"),
    "q_no_line": ("no line labelled with n = {n} (labels: {labels})",
                  "没有标注为 n = {n} 的线（现有标签：{labels}）"),
    "q_points": ("the line for n = {n} must have at least 10 points with p from 0 to at least 0.5 "
                 "on the x axis",
                 "n = {n} 的线必须至少有 10 个点，横轴上的 p 从 0 到至少 0.5"),
    "q_line_value": ("the line for n = {n} at p = {p:.3g} shows {got:.6g}; availability there is "
                     "{want:.6g}",
                     "n = {n} 的线在 p = {p:.3g} 处显示的是 {got:.6g}；那里的可用性是 {want:.6g}"),
    "q_ylim": ("the y axis must show availabilities up to 1", "纵轴必须显示到可用性 1"),
    # exercise 02 (raftlib.checks.split_brain)
    "sb_p1_cut_off": ("the network splits into [P1] and [P2, TS]",
                      "网络分成 [P1] 和 [P2, TS] 时"),
    "sb_p1_cut_off_why": ("P2 stops hearing P1 and asks TS, which stopped hearing P1 too and hands "
                          "it the flag; nobody tells P1, which still believes it is primary.",
                          "P2 收不到 P1 的消息，于是询问 TS，而 TS 也收不到 P1 的消息，就把标志交给了 P2；"
                          "没有人告诉 P1，它仍然相信自己是主副本。"),
    "sb_p2_cut_off": ("the network splits into [P1, TS] and [P2]",
                      "网络分成 [P1, TS] 和 [P2] 时"),
    "sb_p2_cut_off_why": ("P2 asks TS for the flag, but TS is out of its reach; P1 keeps TS's "
                          "flag.",
                          "P2 向 TS 请求标志，但 TS 不在它能到达的范围内；P1 保留着 TS 的标志。"),
    "sb_ts_and_p1_crash": ("TS crashes, then P1 crashes", "TS 崩溃、随后 P1 崩溃时"),
    "sb_ts_and_p1_crash_why": ("P2 needs TS's flag to take over, and TS is down: a single point "
                               "of failure.",
                               "P2 需要 TS 的标志才能接管，而 TS 宕机了：这是单点故障。"),
    "sb_not_replicas": ("{what} must be a list of replica names like ['P1'], got {value!r}",
                        "{what} 必须是副本名字的列表，例如 ['P1']，得到的是 {value!r}"),
    "sb_not_a_dict": ("predicted must be a dict {{situation: [replicas]}}, got {kind}",
                      "predicted 必须是字典 {{情形: [副本]}}，得到的是 {kind}"),
    "sb_no_entry": ("predicted has no entry for {name!r}", "predicted 中没有 {name!r} 这一项"),
    "sb_predicted": ("when {what}, you predicted primaries {guess}; the simulator (seed {seed}) "
                     "shows {actual}. {why}",
                     "{what}，你预测的主副本是 {guess}；模拟器（种子 {seed}）显示的是 {actual}。{why}"),
    "sb_not_pb": ("split_brain_run() must return the rl.PrimaryBackup it ran, got {kind}",
                  "split_brain_run() 必须返回它运行的 rl.PrimaryBackup，得到的是 {kind}"),
    "sb_no_partition": ("partition the network in your run (pb.partition(...))",
                        "在你的运行中对网络分区（pb.partition(...)）"),
    "sb_no_conflict": ("in your run no key was written by two different primaries with different "
                       "values: partition P1 from P2 and TS, wait for P2 to take over, then have a "
                       "client on each side write the same key",
                       "在你的运行中，没有哪个键被两个不同的主副本写入不同的值：把 P1 与 P2 和 TS 分区隔开，"
                       "等 P2 接管，然后让两边各有一个客户端写同一个键"),
    "sb_agree": ("at the end of your run the replicas agree on {key!r} ({final}); show them "
                 "disagreeing (stop before anything overwrites it)",
                 "你的运行结束时各副本在 {key!r} 上是一致的（{final}）；要展示它们不一致"
                 "（在任何东西覆盖它之前停下）"),
    "sb_can_commit_yes": ("can_commit({side}, {n}) returned {said}; in the simulator a Raft leader "
                          "on that side did commit. A side commits when it holds a majority of "
                          "all {n} servers (n // 2 + 1), however the rest are split.",
                          "can_commit({side}, {n}) 返回了 {said}；在模拟器中，这一边的 Raft 领导者"
                          "提交了。一边只要拥有全部 {n} 台服务器中的过半数（n // 2 + 1）就能提交，"
                          "无论其余服务器如何分开。"),
    "sb_can_commit_no": ("can_commit({side}, {n}) returned {said}; in the simulator a Raft leader "
                         "on that side did not commit. A side commits when it holds a majority of "
                         "all {n} servers (n // 2 + 1), however the rest are split.",
                         "can_commit({side}, {n}) 返回了 {said}；在模拟器中，这一边的 Raft 领导者"
                         "没有提交。一边只有拥有全部 {n} 台服务器中的过半数（n // 2 + 1）才能提交，"
                         "无论其余服务器如何分开。"),
    # exercise 06 (raftlib.checks.scenarios)
    "sc_not_cluster": ("{name}() must return the rl.Cluster it ran, got {kind}",
                       "{name}() 必须返回它运行的 rl.Cluster，得到的是 {kind}"),
    "sc_five": ("{name}() must run the library's Raft on five servers (rl.Cluster(5, seed=...)); "
                "got {c!r} with node_class {cls}",
                "{name}() 必须在五台服务器上运行库里的 Raft（rl.Cluster(5, seed=...)）；"
                "得到的是 {c!r}，node_class 为 {cls}"),
    "sc_not_applied": ("S1 took D1 but never applied (committed) it: run until "
                       "c['S1'].commit_index reaches D1's index before the crash",
                       "S1 接收了 D1，但从未应用（提交）它：在崩溃之前一直运行，直到 "
                       "c['S1'].commit_index 达到 D1 的索引"),
    "sc_no_d1": ('no "D1" was submitted to S1 as leader: make S1 leader (c.timeout("S1") and '
                 'run), then c.submit("D1", to="S1")',
                 '没有在 S1 作为领导者时向它提交 "D1"：先让 S1 成为领导者（c.timeout("S1") 并运行），'
                 '再 c.submit("D1", to="S1")'),
    "sc_must_crash": ("{server} must crash after S1 committed D1 and stay down",
                      "{server} 必须在 S1 提交 D1 之后崩溃，并保持宕机"),
    "sc_acks": ("between submitting D1 and the crash, entries from S1 reached {carried}; the "
                "question has only S2 and S3 receive D1 (cut S1's links to S4 and S5: "
                "c.cut('S1', 'S4'), c.cut('S1', 'S5'))",
                "在提交 D1 和崩溃之间，S1 的条目到达了 {carried}；题目中只有 S2 和 S3 收到 D1"
                "（切断 S1 到 S4 和 S5 的链路：c.cut('S1', 'S4')、c.cut('S1', 'S5')）"),
    "sc_run_longer": ("run at least 1 s after the crashes (c.run(2.0)); the run ended {ended:.2f} s "
                      "after them",
                      "崩溃之后至少再运行 1 秒（c.run(2.0)）；你的运行在崩溃后 {ended:.2f} 秒就结束了"),
    "sc_s4_leader": ("S4 became leader in your run: that contradicts the election restriction. "
                     "Did S3 crash or lose D1?",
                     "在你的运行中 S4 成为了领导者：这与选举限制相矛盾。S3 是不是崩溃了，或者丢失了 D1？"),
    "sc_s3_not_leader": ("S3 did not become leader after the crashes: heal the network (c.heal()) "
                         "and run long enough (c.run(2.0))",
                         "崩溃之后 S3 没有成为领导者：恢复网络（c.heal()）并运行足够长的时间（c.run(2.0)）"),
    "sc_hold_d1": ("at the end S3, S4 and S5 must all hold D1 at index {index}",
                   "最后 S3、S4 和 S5 都必须在索引 {index} 处持有 D1"),
    "sc_s4_answer": ("your run shows S3 winning: can S4 be elected? S3 refuses to vote for a "
                     "candidate whose log is less up-to-date (§5.4.1), and S4 and S5 alone are 2 "
                     "of 5, not a majority.",
                     "你的运行显示 S3 胜出：S4 能被选上吗？S3 拒绝投票给日志不如自己新的候选人（§5.4.1），"
                     "而只有 S4 和 S5 是五台中的两台，不是过半数。"),
    "sc_crash_three": ("crash S1, S2 and S3 after D1 is committed; crashed: {down}",
                       "在 D1 提交之后让 S1、S2 和 S3 崩溃；崩溃的是：{down}"),
    "sc_restart_s3": ("restart S3 (c.restart('S3')) after waiting with only S4 and S5 up",
                      "在只有 S4 和 S5 在线的情况下等待之后，重启 S3（c.restart('S3')）"),
    "sc_wait": ("wait at least 2 s with only S4 and S5 up before restarting S3 (you waited "
                "{waited:.2f} s)",
                "重启 S3 之前，在只有 S4 和 S5 在线的情况下至少等待 2 秒（你等了 {waited:.2f} 秒）"),
    "sc_early": ("{early} became leader with only S4 and S5 up: 2 of 5 is no majority",
                 "只有 S4 和 S5 在线时 {early} 成为了领导者：五台中的两台不是过半数"),
    "sc_no_leader_back": ("no leader after S3 came back: run long enough (c.run(2.0))",
                          "S3 恢复后没有领导者：运行足够长的时间（c.run(2.0)）"),
    "sc_hold_d1_disk": ("at the end S3, S4 and S5 must all hold D1 at index {index}: a committed "
                        "entry survives on S3's disk",
                        "最后 S3、S4 和 S5 都必须在索引 {index} 处持有 D1：已提交的条目保存在 S3 的磁盘上"),
    "sc_two_answer": ("your run shows no leader while only two of five servers were up: two "
                      "servers cannot elect a leader.",
                      "你的运行显示，五台中只有两台在线时没有领导者：两台服务器选不出领导者。"),
    "sc_equal_bounds": ("no_randomness() must use equal bounds, election_timeout=(t, t); it used "
                        "{used}",
                        "no_randomness() 必须使用相等的上下界 election_timeout=(t, t)；它用的是 {used}"),
    "sc_run_2s": ("run no_randomness()'s cluster for at least 2 s",
                  "让 no_randomness() 的集群至少运行 2 秒"),
    "sc_fixed_elected": ("no_randomness()'s cluster elected a leader: did every server time out at "
                         "the same moment? Start them all together and fail nothing.",
                         "no_randomness() 的集群选出了领导者：每台服务器都在同一时刻超时了吗？"
                         "让它们一起启动，不要制造任何故障。"),
    "sc_few_terms": ("no_randomness()'s run reached only term {terms}; with equal timeouts every "
                     "server keeps starting elections and splitting the vote: run longer",
                     "no_randomness() 的运行只到了任期 {terms}；超时相同时，每台服务器不断发起选举、"
                     "瓜分选票：运行得更久一些"),
    "sc_same_seed": ("with_randomness() must use the same seed ({seed}) and a range low < high; it "
                     "used seed {used_seed}, {used}",
                     "with_randomness() 必须使用同一个种子（{seed}）和一个 low < high 的范围；"
                     "它用的是种子 {used_seed}，{used}"),
    "sc_random_elects": ("with_randomness()'s cluster must elect a leader within 1 s of virtual "
                         "time (run it at least 1 s)",
                         "with_randomness() 的集群必须在 1 虚拟秒内选出领导者（至少运行 1 秒）"),
    # exercise 03 (raftlib.checks.voting)
    "v_rule_terms": ("§5.4.1: if the last entries have different terms, the log whose last term is "
                     "later is more up-to-date, however long or short the logs are.",
                     "§5.4.1：如果最后条目的任期不同，最后任期更晚的日志更新，无论两份日志谁长谁短。"),
    "v_rule_length": ("§5.4.1: if the last entries have the same term, the longer log is more "
                      "up-to-date; a log of the same length is up-to-date too (>=).",
                      "§5.4.1：如果最后条目的任期相同，较长的日志更新；长度相同的日志也算一样新（>=）。"),
    "v_rule_stale": ("Figure 2, RequestVote receiver 1: reply false if term < currentTerm.",
                     "图 2，RequestVote 接收方第 1 条：如果 term < currentTerm，回复 false。"),
    "v_rule_one_vote": ("Figure 2, RequestVote receiver 2: grant only if votedFor is null or "
                        "candidateId: one vote per term (§5.2).",
                        "图 2，RequestVote 接收方第 2 条：只有当 votedFor 为空或等于 candidateId 时才投"
                        "赞成票：每个任期只投一票（§5.2）。"),
    "v_rule_restriction": ("Figure 2, RequestVote receiver 2 and §5.4.1 (election restriction): "
                           "grant only if the candidate's log is at least as up-to-date as the "
                           "voter's.",
                           "图 2，RequestVote 接收方第 2 条和 §5.4.1（选举限制）：只有当候选人的日志"
                           "至少和投票者的一样新时才投赞成票。"),
    "v_rule_candidate": ("Figure 2, Rules for Servers, Candidates, on conversion to candidate: "
                         "increment currentTerm, vote for self, reset the election timer, send "
                         "RequestVote RPCs to all other servers.",
                         "图 2，服务器规则，候选人，转为候选人时：增加 currentTerm，投票给自己，"
                         "重置选举计时器，向其他所有服务器发送 RequestVote RPC。"),
    "v_hint_election_safety": ("two servers became leader in the same term. Each server votes at "
                               "most once per term (voted_for), a candidate votes for itself, and "
                               "votes are counted only for the candidate's current term.",
                               "两台服务器在同一任期成为领导者。每台服务器每个任期最多投一票（voted_for），"
                               "候选人投票给自己，并且只统计候选人当前任期的选票。"),
    "v_hint_leader_completeness": ("a server without an already committed entry became leader. "
                                   "The election restriction (§5.4.1) must refuse candidates "
                                   "whose log is less up-to-date: compare last terms first, then "
                                   "lengths.",
                                   "一台缺少已提交条目的服务器成为了领导者。选举限制（§5.4.1）必须拒绝"
                                   "日志不够新的候选人：先比较最后的任期，再比较长度。"),
    "v_no_library_election": ("on_election_timeout called the library's start_election(); write "
                              "the candidate's steps yourself in on_election_timeout",
                              "on_election_timeout 调用了库里的 start_election()；请在 "
                              "on_election_timeout 中自己写出候选人的各个步骤"),
    "v_case": ("Your log's last entry has term {my_term} at index {my_index}; the candidate's has "
               "term {term} at index {index}. You returned {got}, the rule says {want}.",
               "你的日志最后一个条目的任期是 {my_term}，索引是 {my_index}；候选人的最后一个条目任期是 "
               "{term}，索引是 {index}。你返回了 {got}，按规则应该是 {want}。"),
    "v_one_reply": ("{node} ({before}) got {m} and sent {outbox}; it must send exactly one "
                    "RequestVoteReply back to {candidate} and nothing else.",
                    "{node}（{before}）收到 {m} 后发出了 {outbox}；它必须向 {candidate} 回复恰好一条 "
                    "RequestVoteReply，别的什么都不发。"),
    "v_reply_route": ("the reply {reply} must go from {node} to the candidate {candidate}: "
                      "RequestVoteReply({node!r}, {candidate!r}, ...)",
                      "回复 {reply} 必须从 {node} 发给候选人 {candidate}："
                      "RequestVoteReply({node!r}, {candidate!r}, ...)"),
    "v_reply_term": ("the reply {reply} must carry the voter's current_term ({term}) so that a "
                     "stale candidate learns it is behind (Figure 2, RequestVote results: term).",
                     "回复 {reply} 必须带上投票者的 current_term（{term}），让过时的候选人知道自己落后了"
                     "（图 2，RequestVote 返回值：term）。"),
    "v_received": ("{node} ({before}) received {m}", "{node}（{before}）收到了 {m}"),
    "v_must_refuse": ("{what} and granted the vote; it must refuse it.",
                      "{what}，投了赞成票；它必须拒绝。"),
    "v_must_grant": ("{what} and refused the vote; it must grant it.",
                     "{what}，拒绝了投票；它必须投赞成票。"),
    "v_not_recorded": ("{what} and granted the vote but voted_for is {voted_for!r}: record the "
                       "vote (voted_for = candidate_id) so that it is not given twice in the term "
                       "(Figure 2, persistent state: votedFor).",
                       "{what}，投了赞成票，但 voted_for 是 {voted_for!r}：要记下这一票（voted_for = "
                       "candidate_id），这样同一任期内不会投出两次（图 2，持久化状态：votedFor）。"),
    "v_grant_no_reset": ("{what} and granted the vote without resetting the election timer: "
                         "granting a vote resets it (Figure 2, Rules for Servers, Followers), so "
                         "the voter waits for the new leader instead of competing with it.",
                         "{what}，投了赞成票却没有重置选举计时器：投出赞成票就要重置它（图 2，服务器规则，"
                         "跟随者），这样投票者会等待新的领导者，而不是和它竞争。"),
    "v_refuse_reset": ("{what}, refused the vote, and reset its election timer. Reset it only "
                       "when you grant a vote (or hear from the current leader): a server with a "
                       "stale log that keeps asking would otherwise stop everyone else from timing "
                       "out (Students' Guide to Raft).",
                       "{what}，拒绝了投票，却重置了选举计时器。只有在投出赞成票（或收到当前领导者的消息）"
                       "时才重置它：否则一台日志过时的服务器不断来要票，会让其他所有服务器都无法超时"
                       "（Students' Guide to Raft）。"),
    "v_stale_kept": ("after refusing a stale candidate the voter must keep current_term=5 and "
                     "voted_for=None; it has {state}",
                     "拒绝过时的候选人之后，投票者必须保持 current_term=5、voted_for=None；它现在是 "
                     "{state}"),
    "v_vote_changed": ("voted_for changed from 'S2' to {voted_for!r} in the same term: a server "
                       "votes once per term (§5.2).",
                       "voted_for 在同一任期内从 'S2' 变成了 {voted_for!r}：一台服务器每个任期只投一票"
                       "（§5.2）。"),
    "v_retransmit": (" A retransmitted request from the candidate you voted for gets the vote "
                     "again.",
                     "你已投票给的那个候选人重发请求时，会再次得到这一票。"),
    "v_rule_new_term": ("Figure 2, Rules for All Servers: a higher term makes the server adopt it "
                        "and forget its vote (receive() did that before calling your handler), "
                        "so in term 6 it has not voted yet.",
                        "图 2，服务器规则，所有服务器：收到更高的任期时，服务器采用这个任期并忘掉自己的投票"
                        "（receive() 在调用你的处理函数之前已经这样做了），所以在任期 6 它还没有投过票。"),
    "v_record_only_grant": ("voted_for became {voted_for!r} although the vote was refused; "
                            "record a vote only when you grant it.",
                            "投票被拒绝了，voted_for 却变成了 {voted_for!r}；只有投出赞成票时才记录投票。"),
    "v_candidate_voted": (" A candidate has voted for itself in its term.",
                          "候选人在自己的任期内已经投票给了自己。"),
    "v_leader_refuses": ("a leader that refuses a same-term vote stays leader; it became {role}",
                         "拒绝同一任期投票请求的领导者仍然是领导者；它却变成了 {role}"),
    "v_empty_logs": (" Two empty logs are equally up-to-date.", "两份空日志一样新。"),
    "v_candidate_restarts": ("a candidate ({before}) whose election timer fires must start a new "
                             "election in term 5 (Figure 2, Candidates: if election timeout "
                             "elapses, start new election); now it is {state}. Otherwise lost "
                             "votes stall the cluster forever.",
                             "候选人（{before}）的选举计时器触发时，必须在任期 5 发起新的选举（图 2，"
                             "候选人：如果选举超时，发起新的选举）；现在它是 {state}。否则丢失的选票会让"
                             "集群永远停滞。"),
    "v_leader_timer": ("a leader ({before}) whose election timer fires must stay leader in its "
                       "term and send no RequestVote: only followers and candidates start "
                       "elections (Figure 2, Rules for Servers). Now it is {state} and sent "
                       "{outbox}.",
                       "领导者（{before}）的选举计时器触发时，必须在自己的任期内继续当领导者，不发送 "
                       "RequestVote：只有跟随者和候选人才发起选举（图 2，服务器规则）。现在它是 "
                       "{state}，发出了 {outbox}。"),
    "v_alone": ("in a one-server cluster the candidate's own vote is a majority: after voting for "
                "itself it must become leader (self.become_leader()); it is {state}.",
                "在只有一台服务器的集群中，候选人自己的一票就是过半数：投票给自己之后它必须成为领导者"
                "（self.become_leader()）；它现在是 {state}。"),
    "v_p_role": ("role is {role!r}, not 'candidate'", "role 是 {role!r}，不是 'candidate'"),
    "v_p_term": ("current_term is {got}, not {term}", "current_term 是 {got}，不是 {term}"),
    "v_p_voted_for": ("voted_for is {voted_for!r}, not {node!r} (itself)",
                      "voted_for 是 {voted_for!r}，不是 {node!r}（它自己）"),
    "v_p_votes": ("votes_received is {votes!r}: a new election starts with only its own vote, "
                  "{{{node!r}}}",
                  "votes_received 是 {votes!r}：新的选举开始时只有它自己的一票，{{{node!r}}}"),
    "v_p_timer": ("the election timer was not reset (self.reset_election_timer())",
                  "选举计时器没有重置（self.reset_election_timer()）"),
    "v_p_send_each": ("it must send one RequestVote to each of {peers}; it sent {votes}",
                      "它必须向 {peers} 各发送一条 RequestVote；它发出的是 {votes}"),
    "v_p_sent": ("sent {m}; expected RequestVote(src={node!r}, dst=peer, term={term}, "
                 "candidate_id={node!r}, last_log_index={last_index}, last_log_term={last_term})",
                 "发出了 {m}；应该是 RequestVote(src={node!r}, dst=peer, term={term}, "
                 "candidate_id={node!r}, last_log_index={last_index}, last_log_term={last_term})"),
    "v_timer_fired": ("when the election timer fired on {node} ({before}):",
                      "{node}（{before}）的选举计时器触发时："),
    "v_one_leader": ("with no failures {leader} should stay the only leader in term {term}; "
                     "after 2 s the leaders are {leaders} and the terms {terms}",
                     "没有故障时，{leader} 应该一直是任期 {term} 唯一的领导者；2 秒后领导者是 "
                     "{leaders}，各服务器的任期是 {terms}"),
    "v_same_term": ("all servers should agree on the term: {terms}",
                    "所有服务器的任期应该一致：{terms}"),
    "v_alone_leader": ("{server} became leader although only it was connected: a candidate "
                       "needs votes from a majority (2 of 3), its own included.",
                       "只有 {server} 自己连在网络上，它却成为了领导者：候选人需要过半数（3 台中的 2 台）"
                       "的选票，包括它自己的一票。"),
    "v_no_commit": ("{leader} could not commit an entry with a majority {servers}",
                    "{leader} 与过半数 {servers} 连通，却无法提交一个条目"),
    # exercise 04 (raftlib.checks.replication)
    "r_rule_1": ("Figure 2, AppendEntries receiver 1: reply false if term < currentTerm.",
                 "图 2，AppendEntries 接收方第 1 条：如果 term < currentTerm，回复 false。"),
    "r_rule_2": ("Figure 2, AppendEntries receiver 2: reply false if the log doesn't contain an "
                 "entry at prevLogIndex whose term matches prevLogTerm, and stop there: change "
                 "nothing.",
                 "图 2，AppendEntries 接收方第 2 条：如果日志在 prevLogIndex 处没有任期与 prevLogTerm "
                 "匹配的条目，回复 false，并到此为止：什么都不改。"),
    "r_rule_34": ("Figure 2, AppendEntries receiver 3-4: if an existing entry conflicts with a new "
                  "one (same index, different terms), delete it and all that follow it; append "
                  "any new entries not already in the log. Without a conflict nothing is "
                  "deleted: a delayed or repeated AppendEntries must not take back entries the "
                  "follower already has.",
                  "图 2，AppendEntries 接收方第 3-4 条：如果一个已有条目与新条目冲突（索引相同、任期不同），"
                  "删除它及其后的所有条目；追加日志中还没有的所有新条目。没有冲突就什么都不删："
                  "一条延迟或重复的 AppendEntries 绝不能收回跟随者已有的条目。"),
    "r_rule_5": ("Figure 2, AppendEntries receiver 5: if leaderCommit > commitIndex, set "
                 "commitIndex = min(leaderCommit, index of last new entry), then apply the newly "
                 "committed entries (self.apply_committed()). Entries after the last new one may "
                 "be stale leftovers the leader has not checked yet.",
                 "图 2，AppendEntries 接收方第 5 条：如果 leaderCommit > commitIndex，令 commitIndex = "
                 "min(leaderCommit, 最后一个新条目的索引)，然后应用新提交的条目（self.apply_committed()）。"
                 "最后一个新条目之后的条目可能是领导者还没检查过的过时残余。"),
    "r_one_reply": ("{node} ({before}) got {m} and sent {outbox}: it must send exactly one "
                    "AppendEntriesReply to {leader} (after a 'reply false' step, return at once).",
                    "{node}（{before}）收到 {m} 后发出了 {outbox}：它必须向 {leader} 发送恰好一条 "
                    "AppendEntriesReply（执行了“回复 false”这一步之后，立即返回）。"),
    "r_reply_route": ("the reply {reply} must go from {node} to {leader}",
                      "回复 {reply} 必须从 {node} 发给 {leader}"),
    "r_reply_term": ("the reply {reply} must carry the follower's current_term ({term}), so that "
                     "a stale leader learns it is behind.",
                     "回复 {reply} 必须带上跟随者的 current_term（{term}），让过时的领导者知道自己落后了。"),
    "r_refused_changed": ("{node} ({before}) got {m}, replied false, and still changed its "
                          "state: now {state}.",
                          "{node}（{before}）收到 {m}，回复了 false，却仍然改变了自己的状态：现在是 "
                          "{state}。"),
    "r_must_accept": ("{node} ({before}) got {m} and replied false; its log matches at "
                      "prev_log_index={prev}, so it must accept.",
                      "{node}（{before}）收到 {m} 后回复了 false；它的日志在 prev_log_index={prev} "
                      "处是匹配的，所以它必须接受。"),
    "r_match_index": ("{node} ({before}) accepted {m} with match_index={got!r}; it must be "
                      "prev_log_index + len(entries) = {want}: only those entries are known to "
                      "match the leader's. len(self.log) may count stale entries after them, and "
                      "the leader would count them as replicated.",
                      "{node}（{before}）接受了 {m}，回复的 match_index={got!r}；它必须是 "
                      "prev_log_index + len(entries) = {want}：只有这些条目确知与领导者的一致。"
                      "len(self.log) 可能把它们之后过时的条目也算进去，而领导者会把那些条目当作已复制。"),
    "r_stale_accepted": ("{node} ({before}) accepted {m} from a stale leader.",
                         "{node}（{before}）接受了来自过时领导者的 {m}。"),
    "r_stale_timer": ("an AppendEntries from a stale leader (term 4 < 5) must not reset the "
                      "election timer or change leader_id: only the current leader holds "
                      "elections off.",
                      "来自过时领导者（任期 4 < 5）的 AppendEntries 不得重置选举计时器，也不得改变 "
                      "leader_id：只有当前的领导者才能压住选举。"),
    "r_candidate_follows": ("a candidate ({before}) that hears from a leader of its own term "
                            "(§5.2) must become follower, set leader_id to the sender and reset "
                            "its election timer; now it is {state}, leader_id={leader!r}, timer "
                            "reset: {reset}.",
                            "候选人（{before}）收到自己任期的领导者的消息时（§5.2），必须转为跟随者，"
                            "把 leader_id 设为发送者，并重置选举计时器；现在它是 {state}，"
                            "leader_id={leader!r}，计时器已重置：{reset}。"),
    "r_heartbeat": ("a heartbeat from the current leader S4 must reset the election timer and set "
                    "leader_id='S4' (Figure 2, Followers); got leader_id={leader!r}, timer reset: "
                    "{reset}.",
                    "来自当前领导者 S4 的心跳必须重置选举计时器并令 leader_id='S4'（图 2，跟随者）；"
                    "实际 leader_id={leader!r}，计时器已重置：{reset}。"),
    "r_deposed": ("a deposed leader must follow the new leader S2; it is {state}, "
                  "leader_id={leader!r}",
                  "被取代的领导者必须跟随新的领导者 S2；它现在是 {state}，leader_id={leader!r}"),
    "r_replied_true_missing": ("{node} ({before}) got {m} and replied true, but its log has no "
                               "entry at prev_log_index={prev}.",
                               "{node}（{before}）收到 {m} 后回复了 true，但它的日志在 "
                               "prev_log_index={prev} 处没有条目。"),
    "r_replied_true_term": ("{node} ({before}) got {m} and replied true, but its log has a "
                            "different term at prev_log_index={prev}.",
                            "{node}（{before}）收到 {m} 后回复了 true，但它的日志在 "
                            "prev_log_index={prev} 处的条目任期不同。"),
    "r_conflict_index_end": ("the refusal {reply} must set conflict_index to an int between 1 "
                             "and {top}: the index the leader should retry from (len(self.log) + "
                             "1). conflict_index=None tells the leader the term was stale, so it "
                             "would never back up.",
                             "拒绝回复 {reply} 必须把 conflict_index 设为 1 到 {top} 之间的整数：领导者"
                             "应当从这个索引重试（len(self.log) + 1）。conflict_index=None 告诉领导者"
                             "是任期过时了，那样它永远不会回退。"),
    "r_conflict_index": ("the refusal {reply} must set conflict_index to an int between 1 and "
                         "{top}: the index the leader should retry from (at most "
                         "prev_log_index). conflict_index=None tells the leader the term was "
                         "stale, so it would never back up.",
                         "拒绝回复 {reply} 必须把 conflict_index 设为 1 到 {top} 之间的整数：领导者"
                         "应当从这个索引重试（至多为 prev_log_index）。conflict_index=None 告诉领导者"
                         "是任期过时了，那样它永远不会回退。"),
    "r_conflict_term": ("the refusal {reply} has conflict_term={term!r}; it must be None or (on "
                        "a term mismatch) the term of your entry at prev_log_index, {allowed!r}.",
                        "拒绝回复 {reply} 的 conflict_term={term!r}；它必须是 None，或者（任期不匹配时）"
                        "你的日志在 prev_log_index 处条目的任期 {allowed!r}。"),
    "r_index_zero": (" Index 0 (before the log) always matches.",
                     "索引 0（日志开头之前）总是匹配。"),
    "r_log_must_be": ("after {m} the log must be {want}, it is {log}.",
                      "收到 {m} 之后日志必须是 {want}，现在是 {log}。"),
    "r_log_before": ("log {log}", "日志 {log}"),
    "r_merge": ("merge_entries({prev}, {entries}) on {before} left the log {log}; it must be "
                "{want}.",
                "在{before} 上执行 merge_entries({prev}, {entries}) 后日志是 {log}；它必须是 {want}。"),
    "r_not_applied": ("after commit_index rose to 3 the entries 1-3 must be applied (call "
                      "self.apply_committed()); to_apply is {to_apply}, last_applied {applied}.",
                      "commit_index 升到 3 之后，条目 1-3 必须被应用（调用 self.apply_committed()）；"
                      "to_apply 是 {to_apply}，last_applied 是 {applied}。"),
    "r_refused_matching": ("{node} ({before}) got {m} and replied {reply}: it refused a request "
                           "whose prev_log_index matches its log, so the commit rule never ran. "
                           "Fix the consistency check (question 2) first.",
                           "{node}（{before}）收到 {m} 后回复了 {reply}：它拒绝了一个 prev_log_index "
                           "与自己日志匹配的请求，所以提交规则根本没有运行。请先修好一致性检查（第 2 题）。"),
    "r_entries_missing": ("{node} ({before}) accepted {m} but its log is now {log}: the "
                          "request's entries must be at indexes {first}..{last} before the commit "
                          "rule can use the last new one (self.merge_entries(prev_log_index, "
                          "entries)).",
                          "{node}（{before}）接受了 {m}，但它的日志现在是 {log}：请求中的条目必须先位于"
                          "索引 {first}..{last}，提交规则才能用到最后一个新条目"
                          "（self.merge_entries(prev_log_index, entries)）。"),
    "r_commit_index": ("{node} ({before}) got {m}; commit_index must become {want}, it is "
                       "{got!r}.",
                       "{node}（{before}）收到 {m}；commit_index 必须变为 {want}，现在是 {got!r}。"),
    "r_follow_leader": ("{node} ({before}) got {m} from the leader of its term: it must be a "
                        "follower with leader_id={leader!r} and its election timer reset; it is "
                        "{role}, leader_id={got!r}, timer reset: {reset}.",
                        "{node}（{before}）收到了本任期领导者的 {m}：它必须是跟随者，"
                        "leader_id={leader!r}，并且选举计时器已重置；它现在是 {role}，"
                        "leader_id={got!r}，计时器已重置：{reset}。"),
    "r_log_then": ("{node} ({before}) accepted {m}; its log must then be {want}, it is {log}.",
                   "{node}（{before}）接受了 {m}；此后它的日志必须是 {want}，现在是 {log}。"),
    "a_hint_state_machine_safety": ("two servers applied different commands at the same index: "
                                    "an entry was treated as committed although a later leader "
                                    "could overwrite it.",
                                    "两台服务器在同一索引应用了不同的命令：一个条目被当作已提交，"
                                    "而后来的领导者仍可能覆盖它。"),
    "a_hint_log_matching": ("two logs hold an entry with the same index and term but differ "
                            "before it: the consistency check (prev_log_index, prev_log_term) "
                            "must pass before any entry is appended.",
                            "两份日志有一个索引和任期都相同的条目，但在它之前却不同：在追加任何条目之前，"
                            "一致性检查（prev_log_index、prev_log_term）必须通过。"),
    "a_hint_leader_completeness": ("a leader lacks an entry that was already committed.",
                                   "一个领导者缺少一个已经提交的条目。"),
    "a_hint_applier_order": ("entries must be applied once each, in index order.",
                             "每个条目必须恰好应用一次，并按索引顺序应用。"),
    # exercise 05 (raftlib.checks.commit)
    "c_rule_match": ("Figure 2, Leaders: if successful, update nextIndex and matchIndex for the "
                     "follower. matchIndex comes from the reply (the request's prev_log_index + "
                     "len(entries)), never from the leader's current state: replies arrive late "
                     "and out of order, and nextIndex is only a guess (Students' Guide to Raft). "
                     "matchIndex never goes backwards.",
                     "图 2，领导者：如果成功，更新该跟随者的 nextIndex 和 matchIndex。matchIndex 来自回复"
                     "（请求的 prev_log_index + len(entries)），绝不来自领导者当前的状态：回复会迟到、会乱序，"
                     "而 nextIndex 只是一个猜测（Students' Guide to Raft）。matchIndex 永远不会后退。"),
    "c_rule_term": ("Students' Guide to Raft: a reply to a request sent in an earlier term is "
                    "stale; drop it (compare m.term with current_term). Only a leader acts on "
                    "replies.",
                    "Students' Guide to Raft：对更早任期所发请求的回复是过时的；丢弃它（比较 m.term 和 "
                    "current_term）。只有领导者才处理回复。"),
    "c_rule_retry": ("Figure 2, Leaders: if AppendEntries fails because of log inconsistency, "
                     "decrement nextIndex and retry (self.backup_index(m) gives the fast "
                     "version); a refusal for a stale term (conflict_index None) only means: stop "
                     "leading.",
                     "图 2，领导者：如果 AppendEntries 因日志不一致而失败，减小 nextIndex 并重试"
                     "（self.backup_index(m) 给出快速回退的版本）；因任期过时而被拒绝（conflict_index 为 "
                     "None）只意味着：不要再当领导者了。"),
    "c_rule_majority": ("Figure 2, Leaders: if there exists an N > commitIndex such that a "
                        "majority of matchIndex[i] >= N and log[N].term == currentTerm, set "
                        "commitIndex = N. The leader counts itself; a majority of n servers is "
                        "n // 2 + 1; count matchIndex (what followers confirmed), not nextIndex "
                        "(a guess).",
                        "图 2，领导者：如果存在 N > commitIndex，使得过半数的 matchIndex[i] >= N 且 "
                        "log[N].term == currentTerm，就令 commitIndex = N。领导者把自己也算在内；"
                        "n 台服务器的过半数是 n // 2 + 1；统计的是 matchIndex（跟随者确认过的），"
                        "而不是 nextIndex（一个猜测）。"),
    "c_rule_fig8": ("§5.4.2 and Figure 8: a leader counts replicas only for entries of its "
                    "current term (log[N].term == currentTerm). An entry of an earlier term "
                    "stored on a majority can still be overwritten by a later leader; it is "
                    "committed only indirectly, when an entry of the current term after it is.",
                    "§5.4.2 和图 8：领导者只为自己当前任期的条目统计副本数（log[N].term == currentTerm）。"
                    "一个存储在过半数服务器上的更早任期的条目，仍可能被后来的领导者覆盖；"
                    "只有当它之后的一个当前任期条目提交时，它才被间接提交。"),
    "c_late_reply": ("the leader ({before}, next_index[S2]=6) got {m}: a late reply to a "
                     "request that carried entries up to index 2. match_index[S2] must become 2, "
                     "it is {got!r}.",
                     "领导者（{before}，next_index[S2]=6）收到了 {m}：这是对一个携带条目直到索引 2 "
                     "的请求的迟到回复。match_index[S2] 必须变为 2，现在是 {got!r}。"),
    "c_next_between": ("after {m} next_index[S2] must stay between 3 and 6, it is {got!r}.",
                       "收到 {m} 之后 next_index[S2] 必须保持在 3 到 6 之间，现在是 {got!r}。"),
    "c_stale_reply": ("the leader of term 3 ({before}) got {m}, a reply from term 2, and acted on "
                      "it: match_index={match}, commit_index={commit}, sent {outbox}.",
                      "任期 3 的领导者（{before}）收到了 {m}，一个来自任期 2 的回复，并据此采取了行动："
                      "match_index={match}，commit_index={commit}，发出了 {outbox}。"),
    "c_not_recorded": ("the leader ({before}) got successful replies with match_index 5 from S2 "
                       "and S3, but its match_index is {match}: it must record them before it "
                       "can count a majority.",
                       "领导者（{before}）收到了 S2 和 S3 的成功回复，match_index 为 5，但它的 "
                       "match_index 是 {match}：它必须先记录这些回复，才能统计过半数。"),
    "c_not_committed": ("the leader ({before}) got successful replies with match_index 5 from S2 "
                        "and S3: with itself that is a majority of 5, so commit_index must become "
                        "5 (call self.advance_commit_index() after updating match_index); it is "
                        "{commit}.",
                        "领导者（{before}）收到了 S2 和 S3 的成功回复，match_index 为 5：加上它自己，"
                        "就是 5 台中的过半数，所以 commit_index 必须变为 5（更新 match_index 之后调用 "
                        "self.advance_commit_index()）；现在是 {commit}。"),
    "c_backwards": ("after match_index[S2]=4 the leader ({before}) got the older {m}; "
                    "match_index[S2] must stay 4, it is {got!r}.",
                    "match_index[S2]=4 之后，领导者（{before}）收到了更早的 {m}；match_index[S2] "
                    "必须保持为 4，现在是 {got!r}。"),
    "c_next_after": ("after {m} next_index[S2] must move to at least 5 (match_index + 1), it is "
                     "{got!r}.",
                     "收到 {m} 之后 next_index[S2] 必须至少变为 5（match_index + 1），现在是 {got!r}。"),
    "c_follower_acted": ("a follower ({before}) got {m} and acted on it (match_index={match}, "
                         "sent {outbox}).",
                         "跟随者（{before}）收到 {m} 后据此采取了行动（match_index={match}，"
                         "发出了 {outbox}）。"),
    "c_stepped_down": ("{m} made the leader step down (receive() did it: a higher term); the "
                       "handler must then leave next_index alone and send nothing; "
                       "next_index[S2]={next}, sent {outbox}.",
                       "{m} 让领导者退位了（receive() 做的：任期更高）；之后处理函数不能再改 "
                       "next_index，也不能发送任何东西；next_index[S2]={next}，发出了 {outbox}。"),
    "c_back_up": ("the leader ({before}, next_index[S3]=6) got {m}: S3's log does not match; "
                  "next_index[S3] must back up (to 5 or less), it is {got!r}.",
                  "领导者（{before}，next_index[S3]=6）收到了 {m}：S3 的日志不匹配；next_index[S3] "
                  "必须回退（到 5 或更小），现在是 {got!r}。"),
    "c_retry": ("after backing up next_index[S3] to {next} the leader must retry at once: "
                "self.send_append_entries('S3'); it sent {outbox}.",
                "把 next_index[S3] 回退到 {next} 之后，领导者必须立即重试："
                "self.send_append_entries('S3')；它发出的是 {outbox}。"),
    "c_stale_refusal": ("{m} has conflict_index None: the follower refused for a term reason, "
                        "not its log. Leave next_index alone and send nothing; "
                        "next_index[S2]={next}, sent {outbox}.",
                        "{m} 的 conflict_index 为 None：跟随者是因为任期而拒绝，不是因为日志。"
                        "不要改 next_index，也不要发送任何东西；next_index[S2]={next}，发出了 {outbox}。"),
    "c_before": ("{state}, match_index={match}, next_index={next}",
                 "{state}，match_index 为 {match}，next_index 为 {next}"),
    "c_commit_index": ("advance_commit_index() on the leader of a {n}-server cluster ({before}) "
                       "set commit_index to {got!r}; it must be {want}.",
                       "在 {n} 台服务器的集群中，领导者（{before}）上的 advance_commit_index() 把 "
                       "commit_index 设为了 {got!r}；它必须是 {want}。"),
    "c_not_applied": ("commit_index rose from {start} to {want} but entries {first}..{want} were "
                      "not applied (call self.apply_committed() after raising commit_index); "
                      "to_apply is {to_apply}.",
                      "commit_index 从 {start} 升到了 {want}，但条目 {first}..{want} 没有被应用"
                      "（提高 commit_index 之后调用 self.apply_committed()）；to_apply 是 {to_apply}。"),
    "c_fig8_setup": ("the Figure 8 set-up (raftlib.scenarios.figure8) failed with your code: "
                     "{error}",
                     "用你的代码搭建图 8 的场景（raftlib.scenarios.figure8）失败了：{error}"),
    "c_s5_no_win": ("S5 did not win an election after S1 crashed (Figure 8 (d))",
                    "S1 崩溃之后 S5 没有赢得选举（图 8 (d)）"),
    "c_minority_commit": ("{leader} committed index {index} with only 2 of 5 servers: {rule}",
                          "{leader} 只靠 5 台中的 2 台服务器就提交了索引 {index}：{rule}"),
    # exercise 08 (raftlib.checks.persistence)
    "p_forgot_vote": ("S1 granted its vote in term 3 to S2, crashed and restarted, then granted it "
                      "again in term 3 to S3: S2 and S3 can both win term 3 (Election Safety).",
                      "S1 在任期 3 把票投给了 S2，崩溃并重启后，又在任期 3 把票投给了 S3："
                      "S2 和 S3 都可能赢得任期 3（选举安全性）。"),
    "p_forgot_entry": ("S1 acknowledged entry 2 (the leader counts it towards a commit), crashed "
                       "and restarted without it: a committed entry can be lost (Leader "
                       "Completeness).",
                       "S1 确认了条目 2（领导者把它计入提交所需的副本数），崩溃并重启后却没有了它："
                       "一个已提交的条目可能丢失（领导者完整性）。"),
    "p_not_a_set": ("PERSISTENT must be a set of field names like {{'current_term'}}, got {value!r}",
                    "PERSISTENT 必须是字段名的集合，例如 {{'current_term'}}，得到的是 {value!r}"),
    "p_unknown": ("{unknown}: not a field of a RaftNode; choose among {known}",
                  "{unknown}：不是 RaftNode 的字段；请从 {known} 中选择"),
    "p_missing": ("{missing} must be persisted too. {evidence}", "{missing} 也必须持久化。{evidence}"),
    "p_blank": ("A restarted server would start from a blank value.",
                "重启的服务器会从空值开始。"),
    "p_not_state": ("persistent_state() must return PersistentState(current_term, voted_for, "
                    "log), got {state!r}",
                    "persistent_state() 必须返回 PersistentState(current_term, voted_for, log)，"
                    "得到的是 {state!r}"),
    "p_wrong_state": ("persistent_state() of a server with current_term=4, voted_for='S2' and a "
                      "log of 3 entries returned {state}.",
                      "对一台 current_term=4、voted_for='S2'、日志有 3 个条目的服务器，"
                      "persistent_state() 返回了 {state}。"),
    "p_restore_three": ("restore({state}) left current_term, voted_for, log = {got}: put back all "
                        "three.",
                        "restore({state}) 之后 current_term、voted_for、log = {got}：三个都要放回去。"),
    "p_volatile_restored": ("after restore() the server has commit_index={commit}, "
                            "last_applied={applied}, role={role!r}: volatile state starts afresh "
                            "(Figure 2: initialized to 0; a server starts as a follower). Restore "
                            "only the persistent fields.",
                            "restore() 之后服务器的 commit_index={commit}、last_applied={applied}、"
                            "role={role!r}：易失状态要从头开始（图 2：初始化为 0；服务器以跟随者身份启动）。"
                            "只恢复持久化字段。"),
    "p_live_log": ("persistent_state() returned the live log: when the server later appended to "
                   "it, the saved state changed too. A write copies the state at that moment "
                   "(what is on disk cannot change by itself): save tuple(self.log).",
                   "persistent_state() 返回了正在使用的日志：服务器之后向它追加条目时，保存的状态也跟着变了。"
                   "一次写入复制的是那一刻的状态（磁盘上的内容不会自己改变）：保存 tuple(self.log)。"),
    "p_log_not_list": ("after restore() the log is a {kind}; the server appends to it, so make it "
                       "a new list: list(state.log).",
                       "restore() 之后日志是 {kind}；服务器要向它追加条目，所以要把它变成新的列表："
                       "list(state.log)。"),
    "p_log_shared": ("after restore() appending to the server's log changed the saved state: "
                     "restore a copy, list(state.log).",
                     "restore() 之后向服务器的日志追加条目改变了保存的状态：恢复一份副本，list(state.log)。"),
    "p_must_wait": ("hold_until_persisted({message}) returned False, so the message leaves before "
                    "the disk write. It must wait: {why}",
                    "hold_until_persisted({message}) 返回了 False，于是这条消息在磁盘写入之前就发出了。"
                    "它必须等待：{why}"),
    "p_wait_vote": ("a granted vote: if it leaves before voted_for is on disk and the voter "
                    "crashes, the restarted voter can vote again in the same term (two leaders, "
                    "Election Safety).",
                    "一张赞成票：如果它在 voted_for 写入磁盘之前发出，而投票者随即崩溃，重启后的投票者"
                    "可能在同一任期再投一次票（两个领导者，选举安全性）。"),
    "p_wait_ack": ("a successful AppendEntries reply: the leader counts it towards a commit; if "
                   "the entries were not on disk, a crash loses a committed entry (Leader "
                   "Completeness).",
                   "一条成功的 AppendEntries 回复：领导者把它计入提交所需的副本数；如果条目还没写入磁盘，"
                   "一次崩溃就会丢失一个已提交的条目（领导者完整性）。"),
    "p_wait_request_vote": ("a candidate's RequestVote carries its own vote: a candidate that "
                            "crashes before its vote is on disk can vote for another candidate in "
                            "the same term, and both can win.",
                            "候选人的 RequestVote 带着它给自己的一票：在这一票写入磁盘之前崩溃的候选人，"
                            "可能在同一任期投票给另一个候选人，两者都可能胜出。"),
    "p_wait_entries": ("a leader's AppendEntries with entries: the leader counts its own log "
                       "towards a commit, so its entries must be on its disk before a follower's "
                       "acknowledgement can commit them.",
                       "领导者带条目的 AppendEntries：领导者把自己的日志也计入提交所需的副本数，"
                       "所以在跟随者的确认能让这些条目提交之前，它们必须已经在领导者的磁盘上。"),
    "p_own_violation": ("the SafetyViolation must come from the cluster's safety checker, not "
                        "from your code",
                        "SafetyViolation 必须来自集群的安全检查器，而不是你的代码"),
    "p_no_scenarios": ("write the schedule yourself with the cluster's methods (timeout, cut, run, "
                       "run_until, crash, restart, submit); rl.scenarios holds the reference "
                       "answers.",
                       "用集群的方法（timeout、cut、run、run_until、crash、restart、submit）自己写时间表；"
                       "rl.scenarios 里是参考答案。"),
    "p_not_caught": ("with rl.bugs.PersistAfterReply (seed {seed}) your schedule broke no safety "
                     "property. Crash a server after it replied but before its disk write is done "
                     "(c.writing(sid) is True then), restart it, and make it use what it forgot: "
                     "vote again in that term, or let a server without the entry win.",
                     "使用 rl.bugs.PersistAfterReply（种子 {seed}）时，你的时间表没有破坏任何安全性质。"
                     "在某台服务器回复之后、磁盘写入完成之前让它崩溃（此时 c.writing(sid) 为 True），"
                     "重启它，再让它用上它忘掉的东西：在那个任期再投一次票，或者让一台没有该条目的服务器胜出。"),
    "p_breaks_correct": ("your schedule breaks safety even with the correct server (seed {seed}: "
                         "{found}): it must catch the early reply, not break Raft's fault model",
                         "即使是正确的服务器，你的时间表也破坏了安全性（种子 {seed}：{found}）："
                         "它应该抓住过早的回复，而不是破坏 Raft 的故障模型"),
    # exercise 09 (raftlib.checks.dedup)
    "d_why_nothing": ("C1 has executed nothing yet",
                      "C1 还没有执行过任何请求"),
    "d_why_retry": ("C1's request 3 was executed: this is a retry of it",
                    "C1 的请求 3 已经执行过：这是它的重试"),
    "d_why_next": ("request 4 is C1's next request",
                   "请求 4 是 C1 的下一个请求"),
    "d_why_per_client": ("sequence numbers are per client: C2 has executed nothing",
                         "序列号按客户端分别计数：C2 还没有执行过任何请求"),
    "d_why_older": ("request 2 is older than C1's latest executed one (3): it was executed before",
                    "请求 2 比 C1 最近执行的请求（3）更早：它以前执行过"),
    "d_why_get": ("C2's request 7 was executed (a get too: answer it from the table)",
                  "C2 的请求 7 已经执行过（get 也一样：从表中应答）"),
    "d_why_put": ("a put returns the value written",
                  "put 返回写入的值"),
    "d_why_append": ("an append returns the new value",
                     "append 返回新值"),
    "d_why_retried_append": ("a retried append is answered from the table, not executed again",
                             "重试的 append 从表中应答，不再执行一次"),
    "d_why_get_value": ("a get returns the current value",
                        "get 返回当前值"),
    "d_why_next_exec": ("C1's next request is executed",
                        "C1 的下一个请求被执行"),
    "d_why_retried_get": ("a retried get returns the answer the client missed, not today's value",
                          "重试的 get 返回客户端错过的那个应答，而不是现在的值"),
    "d_why_no_client": ("a command without a client is just executed",
                        "没有客户端的命令直接执行"),
    "d_why_every_time": ("...every time: there is nothing to compare",
                         "……每次都执行：没有什么可比较的"),
    "d_why_not_op": ("a command that is not an Op (a plain log entry) changes nothing and returns "
                     "None",
                     "不是 Op 的命令（普通日志条目）不改变任何东西，返回 None"),
    "d_why_old_retry": ("an old retry arriving after a newer request is not executed again (the "
                        "table keeps only the latest answer, so any reply is accepted)",
                        "在更新的请求之后到达的旧重试不再执行（表中只保留最新的应答，所以任何回复都可以接受）"),
    "d_why_twice": ("nothing was executed twice",
                    "没有任何请求被执行两次"),
    "d_library": ("`{name}` uses the library's KVStore: write the rule yourself instead of "
                  "calling the library's version",
                  "`{name}` 用了库里的 KVStore：自己写出规则，不要调用库里的版本"),
    "d_is_duplicate": ("with the client table {sessions}, is_duplicate({command}) returned {got}; "
                       "it should be {want}: {why}.",
                       "客户端表为 {sessions} 时，is_duplicate({command}) 返回了 {got}；"
                       "应该是 {want}：{why}。"),
    "d_changed_table": ("is_duplicate changed the client table to {sessions}: it only looks; "
                        "apply() records executed requests.",
                        "is_duplicate 把客户端表改成了 {sessions}：它只负责查看；记录已执行的请求由 apply() 负责。"),
    "d_data": ("after {done}, data is {data}: {why}.", "执行 {done} 之后，data 是 {data}：{why}。"),
    "d_apply": ("applying, in order, {done} returned {got!r} for the last one; expected {want!r}: "
                "{why}.",
                "按顺序应用 {done}，最后一条返回了 {got!r}；应该是 {want!r}：{why}。"),
    "d_sessions": ("after the commands the client table is {sessions}; expected {expected}: "
                   "record (seq, result) of each executed client request, and nothing for "
                   "commands without a client.",
                   "执行这些命令之后客户端表是 {sessions}；应该是 {expected}：为每个已执行的客户端请求记录 "
                   "(seq, result)，没有客户端的命令什么也不记。"),
    "d_unfinished": ("the clients did not finish {requests} requests each within 20 s of virtual "
                     "time: {done}",
                     "客户端没有在 20 虚拟秒内各自完成 {requests} 个请求：{done}"),
    "d_twice": ("{sid}'s store holds {data} after each client appended '1,' to '{requests},' once "
                "({retried} requests were retried after a crash); it should hold {want}: a "
                "retried request was executed twice.",
                "每个客户端把 '1,' 到 '{requests},' 各追加一次之后（有 {retried} 个请求在崩溃后重试），"
                "{sid} 的存储中是 {data}；应该是 {want}：一个重试的请求被执行了两次。"),
    "d_answer": ("client {client}'s request {seq} (after {attempts} attempts) was answered "
                 "{result!r}; the append made the value {expected!r}. A retry must get the "
                 "original answer.",
                 "客户端 {client} 的请求 {seq}（尝试了 {attempts} 次）得到的应答是 {result!r}；"
                 "这次追加产生的值是 {expected!r}。重试必须得到原来的应答。"),
    # exercise 07 (raftlib.checks.terminology)
    "terms_not_a_dict": ("answers must be a dict {{term: translation}}, got {kind}",
                         "answers 必须是字典 {{术语: 译名}}，得到的是 {kind}"),
    "terms_missing": ("the dict has no answer for {missing}; keep the keys as given",
                      "字典中没有 {missing} 的答案；请保留给出的键"),
    "terms_none_zh": ("{prompt!r}: no Chinese term given", "{prompt!r}：没有给出中文术语"),
    "terms_none_en": ("{prompt!r}: no English term given", "{prompt!r}：没有给出英文术语"),
    "terms_wrong_zh": ("{prompt!r} -> {answer!r} is not the usual Chinese term",
                       "{prompt!r} -> {answer!r} 不是通用的中文术语"),
    "terms_wrong_en": ("{prompt!r} -> {answer!r} is not the usual English term",
                       "{prompt!r} -> {answer!r} 不是通用的英文术语"),
    "terms_not_accepted": ("not accepted:\n  {wrong}\nThe lessons give each term in both "
                           "languages on first use; raftlib.glossary.search(...) finds a term by "
                           "either language.",
                           "未通过：\n  {wrong}\n每一课在术语首次出现时都给出中英两种说法；"
                           "raftlib.glossary.search(...) 可以用任一语言查找术语。"),
    # the search question of exercises 03-05 (raftlib.checks.search)
    "search_violation": ("A search of every run of 3 servers that use your {functions} found one "
                         "that breaks {prop} after {steps} steps ({states:,} states searched; "
                         "bounds: {bounds}):\n{transcript}\n\nStep through it with the cell "
                         "below this question: rl.show(r.cluster()).",
                         "在使用你的 {functions} 的 3 台服务器的所有运行中，搜索找到了一个在 {steps} 步后"
                         "破坏{prop}的运行（搜索了 {states:,} 个状态；界限：{bounds}）：\n{transcript}"
                         "\n\n用本题下面的单元格逐步查看它：rl.show(r.cluster())。"),
    "search_error": ("A search of every run of 3 servers that use your {functions} found one in "
                     "which the code raised an error (bounds: {bounds}):\n{error}",
                     "在使用你的 {functions} 的 3 台服务器的所有运行中，搜索找到了一个代码抛出错误的运行"
                     "（界限：{bounds}）：\n{error}"),
    "search_charged": ("Not counted in this question: {question} already loses points for your "
                       "code (one bug costs one question). Fix that first; what the search found "
                       "may be the same bug:\n{found}",
                       "本题不扣分：{question} 已经因为你的代码扣分了（一个错误只扣一道题）。请先修好那道题；"
                       "搜索找到的可能是同一个错误：\n{found}"),
    "search_slow": ("The search of the runs of 3 servers that use your {functions} stopped after "
                    "{seconds:.0f} s with {states:,} states searched, before its bound of "
                    "{max_states:,} states: each call of your functions takes far longer than a "
                    "handler should.",
                    "对使用你的 {functions} 的 3 台服务器的运行的搜索在 {seconds:.0f} 秒后停止，只搜索了 "
                    "{states:,} 个状态，没有达到 {max_states:,} 个状态的界限：你的函数每次调用所花的时间"
                    "远远超过一个处理函数应有的时间。"),
    "search_passed": ("No run of 3 servers that use your {functions} breaks a safety property "
                      "within the bounds searched ({bounds}).",
                      "在搜索的界限内（{bounds}），使用你的 {functions} 的 3 台服务器没有任何运行破坏"
                      "安全性质。"),
    "search_functions": ("{others} and {last}", "{others} 和 {last}"),
    "search_bound": ("terms <= {max_term}, logs <= {max_log}, {max_in_flight} in flight per link, "
                     "{crashes}",
                     "任期 <= {max_term}，日志 <= {max_log}，每条链路最多 {max_in_flight} 条在途消息，"
                     "{crashes}"),
    "search_crash": ("{n} crash", "{n} 次崩溃"),
    "search_crashes": ("{n} crashes", "{n} 次崩溃"),
    "search_no_drops": (", no drops", "，不丢消息"),
    # Figure 2 and the paper's rules named by the checks
    "rule_majority_n": ("A majority is more than half of the n servers, the candidate or leader "
                        "itself included: n // 2 + 1.",
                        "多数是 n 台服务器中的一半以上，候选人或领导者自己也算在内：n // 2 + 1。"),
    "rule_tolerated": ("2f + 1 servers tolerate f failures: the others still form a majority. "
                       "That is n - majority(n) servers.",
                       "2f + 1 台服务器能容忍 f 台故障：其余服务器仍构成多数。也就是 "
                       "n - majority(n) 台。"),
    "rule_dedup": ("§8: the state machine tracks the latest serial number processed for each "
                   "client, along with the associated response; a command whose serial number "
                   "has already been executed is answered at once from that table, without "
                   "executing it again.",
                   "§8：状态机为每个客户端记录已处理的最新序列号以及相应的响应；序列号已经执行过的"
                   "命令直接从这张表中立即应答，而不再执行一次。"),
    "rule_persistent": ("Figure 2, Persistent state on all servers (updated on stable storage "
                        "before responding to RPCs): currentTerm, votedFor, log[].",
                        "图 2，所有服务器上的持久化状态（在响应 RPC 之前更新到稳定存储上）："
                        "currentTerm、votedFor、log[]。"),
    "volatile_commit_index": ("commit_index is volatile (Figure 2: initialized to 0): a "
                              "restarted server learns it again from the leader's leader_commit.",
                              "commit_index 是易失的（图 2：初始化为 0）：重启的服务器会从领导者的 "
                              "leader_commit 重新得知它。"),
    "volatile_last_applied": ("last_applied is volatile (Figure 2: initialized to 0): the state "
                              "machine starts empty after a restart and the log is applied again "
                              "from index 1; restoring last_applied would skip those entries.",
                              "last_applied 是易失的（图 2：初始化为 0）：重启后状态机从空开始，"
                              "日志从索引 1 起重新应用；恢复 last_applied 会跳过这些条目。"),
    "volatile_next_index": ("next_index is volatile leader state, reinitialized after each "
                            "election.",
                            "next_index 是领导者的易失状态，每次选举后重新初始化。"),
    "volatile_match_index": ("match_index is volatile leader state, reinitialized after each "
                             "election.",
                             "match_index 是领导者的易失状态，每次选举后重新初始化。"),
    "volatile_role": ("a restarted server always starts as a follower (§5.2).",
                      "重启的服务器总是以跟随者身份开始（§5.2）。"),
    "volatile_leader_id": ("leader_id is volatile: a restarted server learns the leader from its "
                           "AppendEntries.",
                           "leader_id 是易失的：重启的服务器从领导者的 AppendEntries 得知谁是领导者。"),
    "volatile_votes_received": ("votes_received only matters during one election and is not on "
                                "Figure 2.",
                                "votes_received 只在一次选举期间有意义，不在图 2 中。"),
    "hint_persist_election_safety": ("two leaders in one term: a vote (a granted "
                                     "RequestVoteReply, or a candidate's RequestVote carrying "
                                     "its own vote) left before votedFor and currentTerm were on "
                                     "disk, and a crash made the server forget it. ",
                                     "一个任期出现了两个领导者：一张选票（一个同意的 RequestVoteReply，"
                                     "或候选人带着自己那一票的 RequestVote）在 votedFor 和 currentTerm "
                                     "写入磁盘之前就发出了，一次崩溃让服务器忘记了它。"),
    "hint_persist_leader_completeness": ("a committed entry is missing: a server acknowledged an "
                                         "entry (or a leader sent one and counted itself) before "
                                         "the log was on disk. ",
                                         "缺少一个已提交的条目：某台服务器在日志写入磁盘之前就确认了一个"
                                         "条目（或者领导者发出条目并把自己算了进去）。"),
    "hint_persist_state_machine_safety": ("two servers applied different commands at one index: "
                                          "an acknowledged entry was lost in a crash. ",
                                          "两台服务器在同一索引应用了不同的命令：一个已确认的条目在崩溃中"
                                          "丢失了。"),
}


def say(key: str, lang: str | None = None, /, **fields) -> str:
    """The message ``key`` in ``lang`` (default: the learner's language), fields filled in."""
    if key not in MESSAGES:
        raise KeyError(f"{key!r} is not a message of raftlib.checks.messages.MESSAGES")
    template = MESSAGES[key][i18n.normalize(lang) == "zh"]
    return template.format(**fields) if fields else template


class Msg:
    """A message whose text is chosen when it is shown (``str()``, an f-string, ``+``), in the
    language of that moment: for rules and hints kept in module constants."""

    def __init__(self, *keys: str) -> None:
        for key in keys:
            say(key, "en")  # an unknown key fails at import, not when a learner fails a test
        self.keys = keys

    def __str__(self) -> str:
        return "".join(say(key) for key in self.keys)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __repr__(self) -> str:
        return f"Msg{self.keys!r}"


RULE = Msg("rule")
HINT = Msg("hint")
