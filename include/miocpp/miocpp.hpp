// The whole of miocpp.
#pragma once

#include "config.hpp"
#include "event.hpp"
#include "interest.hpp"
#include "io_slice.hpp"
#include "io_source.hpp"
#include "poll.hpp"
#include "posix/pipe.hpp"
#include "posix/source_fd.hpp"
#include "registry.hpp"
#include "source.hpp"
#include "token.hpp"
#include "waker.hpp"
