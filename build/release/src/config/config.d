build/release/src/config/config.o: src/config/config.c \
 src/config/config.h src/lib/strvec.h src/config/schema.h src/lib/buf.h \
 src/lib/err.h src/lib/util.h
src/config/config.h:
src/lib/strvec.h:
src/config/schema.h:
src/lib/buf.h:
src/lib/err.h:
src/lib/util.h:
