"""Prefetching: asking the cache for what a loop will read a few steps from now.

The hardware prefetches rows read in order by itself, but not rows read in
a shuffled order, such as the partnerships' monthly meetings. Once the
engine's state outgrows the last-level cache, each such row costs a wait
on memory; :func:`prefetch` lets the kernels ask for it some visits
ahead. A prefetch is a hint: it never faults and changes no value.
"""

from __future__ import annotations

from llvmlite import ir
from numba import config, njit, types
from numba.core import cgutils
from numba.extending import intrinsic

#: float64 or int64 elements in a 64-byte cache line
PER_LINE = 8


@intrinsic
def prefetch(typingctx, arr, index):
    """LLVM's ``llvm.prefetch`` of ``arr``'s element at flat ``index`` (C order), for reading, kept in every cache level."""
    if not isinstance(arr, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        arr_t, index_t = signature.args
        data = context.make_array(arr_t)(context, builder, args[0]).data
        at = builder.gep(data, [context.cast(builder, args[1], index_t, types.intp)])
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, i32, i32, i32]),
            "llvm.prefetch.p0",
        )
        # arguments: read (0, not write), keep in every level (3), data (1, not instructions)
        builder.call(fn, [builder.bitcast(at, cgutils.voidptr_t), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, index), codegen


if config.DISABLE_JIT:  # the kernels run as plain Python (NUMBA_DISABLE_JIT=1), where an intrinsic cannot

    def prefetch(arr, index):
        """No hint in plain Python."""


@njit(cache=True)
def prefetch_span(arr, start, n):
    """Prefetch ``n`` elements of ``arr`` from flat index ``start``: a hint per cache line, and one for the last."""
    for x in range(start, start + n, PER_LINE):
        prefetch(arr, x)
    prefetch(arr, start + n - 1)
