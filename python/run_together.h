// rife.run_together: several engines' work handed over at once, so that it batches together.
#pragma once

#include <pybind11/pybind11.h>

#include "engine_binding.h"

namespace rife_py {

void bind_run_together(pybind11::module_& m);

}  // namespace rife_py
