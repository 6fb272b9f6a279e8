/* pyfloat: numbers printed as Python prints them (repr of a float), so that the CSV files we
 * write read like the reference's pandas output: shortest digits that read back to the same
 * double, "2.0" for whole numbers, scientific notation below 1e-4 and from 1e16 on. */
#ifndef INFERCAST_PYFLOAT_H
#define INFERCAST_PYFLOAT_H

#include <stddef.h>

/* repr(float(v)) into buf (32 bytes are always enough). */
void py_float_repr(double v, char *buf, size_t n);

#endif
