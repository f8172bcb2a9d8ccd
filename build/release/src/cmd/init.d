build/release/src/cmd/init.o: src/cmd/init.c src/cmd/cmd.h src/lib/err.h \
 src/project/init.h src/git/repo.h src/lib/buf.h src/lib/run.h \
 src/lib/strvec.h src/project/project.h src/config/config.h
src/cmd/cmd.h:
src/lib/err.h:
src/project/init.h:
src/git/repo.h:
src/lib/buf.h:
src/lib/run.h:
src/lib/strvec.h:
src/project/project.h:
src/config/config.h:
