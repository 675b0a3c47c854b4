/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WARD_VERSION_H
#define WARD_VERSION_H

#ifndef WARD_VERSION
#define WARD_VERSION "0.0.0"
#endif
#ifndef WARD_COMMIT
#define WARD_COMMIT "unknown"
#endif

#endif
