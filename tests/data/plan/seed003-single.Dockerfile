FROM golang:1.12.0
ADD . /app
WORKDIR /app
RUN go build
ENTRYPOINT /app/app
CMD ./app
