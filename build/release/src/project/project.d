build/release/src/project/project.o: src/project/project.c \
 src/project/project.h src/config/config.h src/lib/strvec.h \
 src/git/repo.h src/lib/buf.h src/lib/run.h src/lib/err.h src/lib/util.h
src/project/project.h:
src/config/config.h:
src/lib/strvec.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/err.h:
src/lib/util.h:
