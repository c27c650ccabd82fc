#include "envsmith/index/repodata.hpp"
